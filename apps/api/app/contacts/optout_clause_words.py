"""The word roles optout_clauses reads, in seven languages. Pure data.

Each role is a list of regex alternatives over text normalised by `optout_clauses.normalize`
(lower case, no accents, punctuation as spaces, "_" below stands for a space): whole words,
`\\w*` for endings. A word may have several roles ("spam" is a way of sending and the messages).
"""

from __future__ import annotations


def _split(words: str, *patterns: str) -> list[str]:
    """The words (with "_" for a space), then any longer patterns as they are."""
    return [w.replace("_", " ") for w in words.split()] + list(patterns)


# "my number should be removed", "mi número debe ser eliminado", "soll gelöscht werden"
_PASSIVE_REMOVED = (
    r"(be|been|being|get|is|are|ser|sea|sean|seja|sejam|etre|soit|soient|werden|wird)\s(\w+\s)?"
    r"(removed|deleted|erased|eliminad[oa]s?|borrad[oa]s?|retirad[oa]s?|quitad[oa]s?|removid[oa]s?|"
    r"excluid[oa]s?|apagad[oa]s?|supprimee?s?|retiree?s?|effacee?s?|entfernt|geloscht|gestrichen|"
    r"ausgetragen)"
)
_BLOCK = r"block blocken bloqueen bloquea bloqueie bloqueiem bloquez sperren sperrt blokir"

ROLES: dict[str, list[str]] = {
    # Stopping, said before what it stops: "stop sending", "dejen de mandar", "arrêtez vos pubs"
    "stop": _split(
        r"""pararem
        discontinue desativem desactiven desactive deactivate turn_off switch_off dimatiin
        matikan para_la_com pararem_de parassem_de pare_com
        stop(?!\s(by|in|at|over|off|on|for|and)\b) stopp stahp stpo
        quit(?=\s(sending|texting|messaging|contacting|spamming|bugging|bothering|with|it)\b) cease
        end_all put_an_end_to cut_it_out knock_it_off enough_with enough_of give_it_a_rest
        (dej(en|ad|a|ar|es|e|eis)|deix(em|e|a|ar|assem|arem)|par(en|e|a|ar|em))\s(ya|ja|ahora|agora|logo|pues|ustedes|voces)\sde
        dej(aran|asen|aras|aria|arian)_de paren pare_de para_de parar_de parad_de dejen_de deja_de
        dejar_de dejes_de deje_de
        dejeis_de dejad_de dejen basta_de basta_con cesen cese_de detengan terminen_con
        para_ya paren_ya parenle
        parem pare parar_com parem_com deixem_de deixe_de deixa_de deixar_de deixassem_de
        deixarem_de chega_de cessem interrompam suspendam para_com
        arretez arrete_de arrete_d arreter arretes darreter d_arreter arretter cessez cesser
        mettre_fin mettez_fin
        laissez_tomber laisse_tomber stoppez stoppe ca_suffit suffit
        la_fin_de hort_auf horen_sie_auf hoert_auf horts_auf hor_auf hoer_auf
        ho(e)?r(t|ts|en|e|st)?(\s(?!nicht\b|nie\b|zu\b|bin\b|bist\b|ist\b|sind\b)\w+){1,3}\sauf
        schluss(\s\w+)?\smit stoppen stoppt
        bas_karo bas_kijiye bas_kro rok_do roko rokiye
        berhenti berhentilah berhentikan berhentiin hentikan penghentian stopin setop udahan
        sudahi"""
    ),
    # Stopping said after what it stops (verb-final): "message bhejna band karo", "pengiriman
    # pesan ... dihentikan", "Einstellung aller Nachrichten"
    "stop_final": _split(
        r"""abzusehen absehen
        band(h)?_(karo|kro|kardo|krdo|kar_do|kr_do|karein|karen|kijiye|kar_dijiye|karwa\w*|plz|pls|please|karoge|karogi|karenge|hoga|honge)
        band_kaise band_kar(?=\s(ye|yeh|do|de)\b) bnd_(karo|kro|kr\w*) rok(o|iye|ein|_do|_dijiye)
        chh?od(o|_do|_dijiye|_dena|_de)
        dihentikan diberhentikan distop berhentiin
        aufhoren aufzuhoren einstellen einzustellen einstellung unterlassen zu_unterlassen
        beenden zu_beenden beendigung"""
    ),
    # A stop word ending a sentence, after the messages: "spam terus, stop!", "spam. stop"
    "stop_last": [
        r"(stop|stopp|berhenti|berhentiin|parem|paren|arretez|udahan|cukup)"
        r"(\s(aja|ya|deh|dong|please|pls|bitte|svp|yaar|ji|kak|min))?$"
    ],
    # Sending or contacting
    "send": _split(
        r"""contacted texted messaged kontaktiert angeschrieben angerufen kontak kontakin ngechat
        kirim2(nya)? hueve\w* jod(an|er|as) fastidi\w*
        send sending sent_me texting text txt messag(e|ing) msg(ing)? msging contact(ing)?
        writ(e|ing) spam(ming)? whatsapp(ing)? bother(ing)? harass(ing)? call(ing)? ping(ing)?
        mand(ar|en|es|an|ando|arme|arnos|e|em|arem|a|aran|asen)(me|nos)?
        envi(ar|en|es|an|ando|e|em|arem|aran|asen)(me|nos)? escrib(ir|an|as|iendo|ieran)(me|nos)?
        contact(ar|en|es|ando)(me|nos)? contat(ar|em|e) molest(ar|en|ando)(me)? llam(ar|en)(me)?
        spame(ar|en)(me)? spamear text(ear|een|ees|eando) blowing_up_my_phone blow_up_my_phone
        escrever escrevam incomodar incomodem mandando enviando contactad[oa]s? contatad[oa]s?
        envoy(er|ez|e|es|ant) envoi(e|ent)? menvoy\w* mecri\w* texter ecrire ecrivez contacter
        contactez contactee?s?
        recontacter relanc(er|ez|e) harcel(er|ez) spammer solliciter sollicitee?s?
        schick(en|t|ed|e|st)? schik(en|t)? zuschick(en|t)? zuzuschicken zusenden zuzusenden
        send(en|et)
        schreiben schreibt anschreiben kontaktieren zu_kontaktieren belastigen nerven
        zuzuspammen zuspammen vollspammen spammen
        bhej(na|ne|o|e|te|iye|en|a)? bheja sampark pareshan
        kirim(in|i|kan|nya|2)? dikirim(i|in)? mengirim(kan|i)? ngirim(in|i)? pengiriman hubungi
        menghubungi dihubungi ganggu mengganggu chat(ting|2)? nyepam nge_?spam hantar"""
    ),
    # Contacting someone (what "don't ... me" forbids)
    "contact": _split(
        r"""anzuschreiben anzurufen melden
        contacted kontaktiert angeschrieben kontak kontakin ngechat hueve\w* jod(an|er|as)
        recontactez
        text(ing)? txt messag(e|ing) msg contact(ing)? writ(e|ing) whatsapp(ing)? call(ing)?
        escrib(ir|an|as|a|e|iendo|ieran)(me|nos)? contact(ar|en|es|ando)(me|nos)?
        contat(ar|em|e)(me)? text(ear|een|ees|eando) em_contato en_contacto llam(ar|en)(me)?
        molest(ar|en)(me)?
        escrever escrevam ligar liguem cham(ar|em|e) incomodar incomodem contactad[oa]s?
        contatad[oa]s?
        ecrire ecrivez contacter contactez contactee?s? recontacter appeler appelez relancer
        relancez derangee?s?
        schreiben schreibt anschreiben kontaktieren anrufen
        sampark contact_kar message_kar msg_kar call_kar pareshan
        hubungi menghubungi dihubungi chat(2)? sms telepon telpon nelpon ganggu wa"""
    ),
    # German verbs of contacting, whose "nicht" comes after: "Schreiben Sie mir nicht mehr"
    "contact_de": _split(r"""schreib(en|t)? anschreiben kontaktier(en|t) anruf(en|t)"""),
    # The messages
    "msg": _split(
        r"""pemasaran
        \w*erinnerungen reminders? pengingat\w* surveys? encuestas? sondages? umfragen?
        pesquisas? survei lembretes? spendenaufrufe appeals zusendungen whatsapp_updates
        mess?ages? msgs? mgs? txts? texts? sms whatsapps? promos? promotions? promotional
        offers? deals? ads adverts? advertising advertisements? spam marketing newsletters?
        broadcasts? communications? mensajes? msjs? mjs? wasaps?
        mensajitos? msjitos? mensaginhas? promociones? ofertas? publicidad propaganda anuncios?
        comunicaciones?
        boletin(es)? difusion(es)? cadenas? informacion mensage(m|ns) zap promocoes promocao
        propagandas? publicidade comunicacoes informacoes pubs? publicites?
        offres? relances? infos? informations? nachricht(en|e)? nachrichen nachichten angebot(e|en)?
        werbung werbe\w* kontaktaufnahme\w*
        aktionen? mitteilungen? informationen newsletter avisos recordatorios lembretes rappels
        erinnerungen reminders pengingat campanhas campanas campaigns campagnes kampagnen
        kampanye mesej infolettres?
        pesan(nya|2)? pesen iklan(nya|2)? promo(nya|2) informasi penawaran bc"""
    ),
    # What "cancel" may apply to: the messages only ("cancel the offer" is a sale)
    "msg_strict": _split(
        r"""notificaciones notifications notificacoes benachrichtigungen
        messages? msgs? texts? sms whatsapps? newsletters? broadcasts? mensajes? msjs?
        mensage(m|ns) nachricht(en)? pesan(nya)? communications? comunicaciones comunicacoes"""
    ),
    # The sending itself as a noun
    "sending": _split(
        r"""envio envios envoi envois pengiriman zusendung sending mailings? prospection"""
    ),
    "receive": _split(
        r"""receive receiving recib(ir|irlos|irlas|iendo|a) llegu?en llegar(me)? receb(er|a|endo)
        recevoir recoive recoivent recevez recevions erhalten empfangen zugeschickt zugesandt
        menerima terima nerima receive_kar"""
    ),
    "receive_weak": _split(r"""bekomen hear horen sunna dengar ouvir oir entendre
        get getting bekommen kriegen milna aana aaye dapat dapet"""),
    "want": _split(
        r"""rather lieber lebih_suka chahye chaiye
        want wants wanna wish desire desea desean deseja desejam quer querem quiere quieren
        veut quiero kiero qiero kero queremos deseo deseamos quisiera
        quero qro queremos queria gostaria desejo jveux jveu veux voulons voudrais souhaite
        mochte mochten chahta chahti chahte chahiye mau ingin pengen berkenan ich_will
        wir_wollen will_keine will_nicht will_nix will_nichts prefer\w* prefier\w* prefir\w*
        prefere\w*"""
    ),
    # German wants put their "nicht" at the end: "Ich möchte diese Nachrichten nicht mehr"
    "want_de": _split(r"""mochte mochten ich_will wir_wollen"""),
    # What "not want" to do is not the messages: "I don't want to miss them"
    "keep": _split(r"""miss perder perderme rater manquer verpassen ketinggalan melewatkan"""),
    "not": _split(
        r"""naum nai
        not dont don_t do_not didn_t did_not doesn_t does_not won_t will_not can_t cannot
        never no_longer no nao n ne pas jamais nunca ni nem nicht
        nie niemals kein keine keinen keiner keini nahi nahin nhi na mat mt tidak tdk gak ga
        nggak ngga enggak engga gk ora ojo jangan jgn ya_no ja_nao nimmer nimma
        plus(?=\srecevoir)"""
    ),
    # A prohibition on its own ("msg mat bhejo", "jangan spam saya"): no "again" needed
    "dont": _split(r"""dont don_t do_not never mat mt jangan jgn ojo"""),
    # A "not" said after the verb (German, Hindi): "schicken Sie mir nichts mehr", "bhejo mat"
    "not_after": _split(r"""nicht nichts kein keine keinen mat na nahi nahin nhi nimmer nimma"""),
    "more": _split(
        r"""nimmer nimma further anymore any_more more again ever mas nunca_mas mais plus jamais
        mehr meh
        weiter weitere(n)? weiterer nochmal wieder aur phir dobara kabhi aage_se ab_se lagi lg meneh
        maning
        ya_no vuelvan_a volver_a voltem_a voltar_a"""
    ),
    "mehr": _split(r"""mehr meh weitere(n)? weiterer"""),
    # "nichts mehr bekommen", "nada más"
    "nothing_more": _split(r"""kuch_nahi
        nichts_mehr nix_mehr rien_de_plus plus_rien"""),
    "remove": _split(
        r"""borreis quiteis saqueis arreda arredar
        remove removing remov delete deleting erase unlist
        take_(my_number|my_contact|this_number)_(out|off|away)
        quit(ar|en|e|a|ame|en)(lo|la)? sac(ar|en|a|ame|arme) saquen(lo|la)?
        elimin(ar|en|e|a|ame|acion)(lo|la)? borr(ar|en|e|a|ame|arme|ado)(lo|la)?
        quitaran sacaran borraran eliminaran retiraran removessem tirassem la_baja
        retir(ar|en|e|a)(lo|la)? dar_de_baja den_de_baja darme_de_baja
        remov(er|am|a|ao|e) remocao tir(ar|em|e|a)(r)? exclu(ir|am|a|i|sao) apag(ar|uem|ue|a)
        descadastr(ar|e|em|a) retirassem retir(em|er|ez|ent)
        supprim(er|ez|e|ent) suppression effac(er|ez|e) desinscri(re|vez|ption) ray(er|ez)
        enlev(er|ez) sortez ot(ez|er) vir(ez|er)(?=\s(mon\snum|moi\sde|mon\scontact))
        entfern(en|t|e|ung) losch(en|t|e|ung) austragen streich(en|t) raus rausnehmen
        herausnehmen
        mita(o|iye|do|na|dijiye|_dijiye|_do)? cabut hata(o|iye|do|na|ana|ya)? hatao
        nikal(o|iye|na|do|dijiye|u|un)? nikaal\w* kaat\w* kat_do
        delete_kar remove_kar bahar_kar\w*
        hapus(kan)? apus dihapus keluarkan dikeluarkan keluarin copot coret dicoret unreg""",
        _PASSIVE_REMOVED,
    ),
    # Forgetting, said of the number only: "oubliez mon numéro", "lose my number"
    "forget": _split(
        r"""oubli(ez|er) olvid(en|ar|ate) esquec(am|er|a) vergesst vergessen forget lose"""
    ),
    # "aus dem Verteiler", "aus der Liste": out of a list, in German
    "out_of_list": [
        r"aus\s(dem|der|den|allen|eurem|eurer|euren|ihrem|ihrer|ihren|diesem|dieser)(\s\w+)?\s(verteiler\w*|"
        r"\w*liste\w*|kartei|datenbank|system|newsletter\w*|\w*gruppe|broadcast\w*|kontakte\w*)"
    ],
    # Blocking, said of this number: "pls block this number from your system"
    "block": _split(_BLOCK),
    # Leaving a list oneself: "quero sair da lista", "I want out of this list"
    "exit": _split(
        r"""sair salir salgo saio sort sortir want_out keluar raus bahar runter herunter get_off
        get_out_of get_me_off get_out niklu nikalu nikal"""
    ),
    # "how do I get out of THIS?": the thing they are in
    "this": _split(r"""this esto eso isso disso desto ce_truc ca hier isse is_se ini dari_ini"""),
    # A "not" said of someone else: "Fatima doesn't use it", "ya no lo usa", "n'est plus utilisé"
    "third_person": _split(
        r"""doesn_t does_not didn_t did_not isn_t is_not no_longer_uses no_lo_usa ya_no_usa
        nao_usa n_utilise_plus nutzt_(sie|er)_nicht use_nahi_karta use_nahi_karti tidak_pakai"""
    ),
    # Using the number: "don't use my number for anything"
    "use": _split(
        r"""use using usar usen usem usais usen utilisez utiliser verwenden verwendet benutzen
        nutzen
        pakai memakai gunakan menggunakan istemal"""
    ),
    # Preventing the messages: "Wie kann ich verhindern, dass ich diese Nachrichten bekomme?"
    "prevent": _split(r"""prevent avoid evitar evite eviter verhindern vermeiden mencegah rokna"""),
    # The past participle after "my number": "I want my number deleted from your database"
    "removed_pp": _split(
        r"""deleted removed erased eliminado borrado removido excluido geloscht"""
    ),
    # German "stellen Sie die Nachrichten ... ein" (the verb around its object)
    "stop_de_sep": [r"stell(en|t|e)?(\s\w+){1,6}\sein"],
    # Adding someone to a list ("jangan masukin nomor saya ke broadcast lagi")
    "add": _split(
        r"""add adding agreg(ar|uen|ue) adicion(ar|em|e) ajout(er|ez) hinzufugen daal(o|na|do)?
        dal(o|na|do) masuk(in|kan)? tambahkan"""
    ),
    "my_number": _split(
        r"""(her|his|their)_(phone_)?number su_numero son_numero seu_numero o_numero_dela
        o_numero_dele (ihre|seine)_nummer uska_number unka_number nomornya die_nummer den_kontakt
        the_number el_numero le_numero company_line linha_corporativa telefone_corporativo
        firmennummer diensthandy
        my_(phone_)?number my_contact my_details my_data my_name this_number my_info
        mi_numero mi_contacto mi_telefono mis_datos mi_nombre este_numero
        meu_numero meu_contacto meu_contato meu_telefone meus_dados meu_nome este_numero
        o_meu_contacto o_meu_contato o_meu_numero
        mon_numero ce_num(ero)? mes_coordonnees mes_donnees mon_contact ce_numero
        meine_(handy|telefon)?nummer meine_daten meinen_kontakt diese_nummer
        mera_(naam_aur_)?number mera_naam mera_no mera_contact ye_number yeh_number is_number
        (meine_|die_)?(nr|nummer)(?=\s(loschen|entfernen|streichen|austragen))
        nomor_(saya|aku|ku|gue|gw|ini) nomer_(saya|aku|ku|gue|gw|ini) nomorku esse_numero
        esse_contacto kontak_saya data_saya"""
    ),
    # Someone else's phone: "no le manden publicidad", "keine Werbung an ihn"
    "them": _split(r"""le lhe him her ihm ihn ihr unhe unko dia beliau"""),
    "me": _split(
        r"""nous
        me us moi mich mir uns mujhe mujhko hume humein saya sy aku gue gw comigo conmigo
        m(?=\s(ecri|envoy|contact|appel|relanc|en\senvoy|enlev|retir|supprim|effac|desinscri))"""
    ),
    # "bórrenme", "retirez-moi", "me tirem", "mujhe hata do": remove with "me" in one word
    "remove_me": _split(
        r"""(ya_)?pedi_la_baja pedi_(pra|para)_sair already_asked_to_be_removed
        mich(\s\w+){0,3}\sabgemeldet abgemeldet_werden ausgetragen_werden geloscht_werden
        entfernt_werden
        take_(her|his|their|the|this|my)_(phone_)?number_(off|out(_of)?)
        me_dieran_de_baja me_tirarem me_tirassem me_removerem me_excluirem um_abmeldung
        um_loschung um_austragung
        (asked|ask|want|wish|requested|would_like)_to_be_(removed|deleted|taken_off|unsubscribed)
        meld(e|et|en)(\s\w+){0,2}\smich(\s\w+){0,5}\sab
        quit(en|a|e|ar)me sac(a|ar)me saquen(me|nos) elimin(en|e|a|ar)me borr(en|e|a|ar)me
        retir(en|e|ar)me desuscrib\w*me tirem_me me_tirem me_tira me_tire me_removam me_remove
        me_exclu\w* me_remova me_apaguem
        retirez_moi retire_moi supprimez_moi enlevez_moi sortez_moi rayez_moi desinscrivez_moi
        meld(en|et)_sie_mich_ab meldet_mich_ab entfernen_sie_mich loscht_mich loschen_sie_mich
        streichen_sie_mich nehmt_mich_raus
        mujhe_(hata|nikal|remove|delete)\w* hapus_saya keluarkan_saya keluarin_(aku|saya)
        (minta|mohon|tolong)_(\w+_)?(dihapus|dikeluarkan|dicoret)"""
    ),
    # Remove with "me" in it, for a list or the messages ("take me off your list", "darme de
    # baja de los mensajes": not "darme de baja del plan")
    "remove_me_list": _split(
        r"""drop_me_(from|off)
        take_(me|her|him|them)_(off|out_of|out|from) get_me_(off|out) leave_me_out
        dar(me)?_de_baja
        den(me)?_de_baja me_den_de_baja dame_de_baja"""
    ),
    # Words that unsubscribe by themselves once someone says it of themselves
    # "unsubscribeame de esa lista"
    "remove_list_me": _split(r"""unsubscrib\w*me desuscrib\w*me"""),
    "remove_list": _split(
        r"""bestell\w*(\s\w+){0,3}\sab
        unlist descadastr\w* desinscri\w* desabonn\w* austragen abmeld\w* unsub unsubscribe
        unsubscribing
        unsubcribe unsubscibe unsuscribe unsubscrib desuscrib\w* opt_(me_)?out"""
    ),
    "list": _split(
        r"""yours
        lists? mailing mailing_list database data_base base bases contacts contactos contatos
        kontakte(n)? verteiler\w* kartei datenbank fichiers? registros? cadastros? daftar
        broadcast difusion distribution sistema system systeme unlist listen? listes? listas?
        group grupo groupe gruppe grup transmissao records? registro envios envois data_kalian
        data_anda"""
    ),
    # The business's list: "your list", "de sus envíos", "da vossa base"
    "your_list": [
        r"(your|ur|sus|su|vuestra|vossa|sua|votre|vos|eurer|eurem|ihrer|ihrem|apni|apne|kalian)"
        r"(\s\w+){0,2}\s(lists?|database|contacts|contactos|envios|envois|verteiler\w*|daftar|"
        r"system|sistema|listas?|listes?|base|cadastro|fichiers)",
        r"(the|this|la|da|do|dem|der|esta|essa|dessa|desta|cette)(\s\w+){0,2}\s(lists?|listas?|"
        r"listes?|mailing|verteiler\w*)",
    ],
    # An account or an order's data is edited, not the messages stopped
    "account": _split(
        r"""account cuenta conta compte konto akun old_number numero_antiguo numero_antigo
        ancien_numero alte_nummer purana_number nomor_lama order pedido commande bestellung
        cart carrito carrinho panier warenkorb keranjang wait_?list waiting_list
        lista_de_espera liste_d_attente warteliste daftar_tunggu peserta participants
        teilnehmer class clase aula cours \w*kurs\w* card cartao tarjeta carte karte kartu
        new_number nuevo_numero novo_numero nouveau_numero neue_nummer naya_number nomor_baru
        new_one old_one item reserva booking reservation appointment cita termin rendez_vous
        janji plan plano membership kelas club taller workshop atelier verein hija hijo
        filha filho fille fils sohn tochter anak my_son my_daughter fila_de_espera viejos? viejas?
        antiguos? antigas? velhos? ancienne anciens alten datos_de_envio dados_de_entrega
        invoice factura fatura facture rechnung tagihan bill receipt recibo boleto antrian fila
        queue cola file_d_attente warteschlange excursao excursion trip viagem viaje tour
        voyage reise perjalanan colocar pasarme mover mudar switch ganti pindah photos? fotos?
        picture pics? bild(er)? duvidas?
        dudas? duda doutes? les_(renang|privat|piano|musik|bahasa|inggris) kursus curso address
        endereco direccion adresse alamat pata"""
    ),
    "anything": _split(r"""m_en
        anything nothing nada rien nichts nix kuch ye_sab yeh_sab apa_apa
        apapun"""),
    # German cancels come last: "Werbung um 7 Uhr früh, bitte abbestellen"
    "cancel_final": _split(r"""abbestell\w* abmeld\w* kundig\w*"""),
    "cancel": _split(
        r"""cancel\w* cancela\w* annul\w* kundig\w* abbestell\w* abmeld\w* batal\w* berhentikan
        solicito_la_baja la_baja descadastramento """
        + _BLOCK
    ),
    "subscription": _split(
        r"""subscription suscripcion subscricao assinatura inscricao abonnement inscription abo
        langganan"""
    ),
    "consent": _split(
        r"""authori[sz]e\w* consent\w* consient\w* consiento consinto autoriz\w* autoris\w*
        einverstanden zustimm\w* erlaub\w* einwilligung berkenan izin\w* mengizinkan
        persetujuan permission permiso permissao erlaubnis"""
    ),
    "withdraw": _split(
        r"""withdraw\w* revoke\w* revoco revogo retiro retire widerrufe\w* entziehe mencabut
        cabut menarik tarik wapas"""
    ),
    # An objection to the sending: "Ich widerspreche der Zusendung", "je m'oppose"
    "object_to": _split(r"""widerspreche\w* me_opongo oponho_me me_oponho m_oppose object"""),
    "one_more": _split(
        r"""another one_more next encore otro otra una_mas un_mas mais_uma mais_um noch
        ein_weiteres eine_weitere ek_aur aur_ek sekali_lagi satu_lagi""",
        r"(un|una|um|uma|one|ein|eine)\s(\w+\s)?(mensaje|mensagem|message|msg|nachricht|sms|"
        r"pesan)\s(mas|mais|more|mehr|lagi)",
        r"aur\s(ek\s)?(message|msg)",
    ),
    # "if you write again / keep sending I'll report you"
    "if_again": _split(
        r"""si_no_(dejan|paran|param|arretez|paras) agar(_\w+){0,3}_(aate|aaya|aaye)_(rahe|to|toh)
        keep_this_up if_(these|they|this|it)_(keep|keeps|continue|continues)\w*
        si_(ca|esto|eso)_(continue|sigue|continua) se_(continuar|continuarem|isso_continuar)
        wenn_das_so_weitergeht aise_hi_chalta_raha (kalau|kalo)_(masih_)?(begini|gini)_terus
        one_more_of_these another_one_of_these
        if_(you|u)_(\w+_){0,2}(again|one_more_time|keep|continue) si_me_vuelven
        si_vuelven si_continuan si_siguen si_vous_continuez se_continuarem se_voltarem
        wenn_(ihr|sie)_(\w+_){0,2}(noch|weiter|wieder) agar_phir kalau_masih kalo_masih
        (kalau|kalo)_(\w+_)?lagi jika_masih dobara si_vous_(renvoyez|reecrivez|recommencez)
        si_(me_)?(vuelven|siguen|mandan_otro) se_(mandarem|enviarem)_(mais|outra)
        if_(you|u)_(send|text|message)_(again|another)
        if_(these|they|it|this)_(don_t|dont|do_not)_stop"""
    ),
    "report": _split(
        r"""reporto reportare reportarlos reclamar reclamacao procon ylki trai consumer_forum
        verbraucherzentrale 33700 adukan
        report(ing)?(?=\s(you|u|this|your|the_number|it|them|as|to)\b) reporting
        (signale|signaler|signalerai)(?=\s(vous|votre|ce|comme|a)\b) vous_signale denunci\w*
        (melde|melden)(?=\s(euch|sie|dich|das|ich)\b) anzeig\w* block\w* bloque\w* bloquei\w*
        blokir\w* lapor\w* complaint cnil beschwer\w*"""
    ),
    # "no more messages", "chega de promoções", "plus de pubs" opening the sentence
    "no_more": _split(
        r"""basta_ya_de ya_basta_de
        no_more no_mas nada_mas_de chega_de basta_de basta_con assez_de marre_de stop_aux
        sem_mais ^plus_de ^pas_de (?<=,\s)plus_de (?<=svp\s)plus_de (?<=stp\s)plus_de"""
    ),
    # German "keine ... mehr": with the messages and "mehr" ("keine Nachrichten mehr")
    "kein": _split(r"""kein keine keinen keini kei"""),
    # "enough"/"no need" said of the sending: "cukup ya kirim pesannya", "gak usah kirim lagi"
    "enough_send": _split(
        r"""nggak_perlu ga_perlu
        ra_sah rasah ora_usah ra_usah gak_usah ga_usah nggak_usah tidak_usah tdk_usah
        gausah jangan_lagi
        no_need_to inutile_de nao_precisa(m)?_(de_)? no_hace_falta tidak_perlu gak_perlu"""
    ),
    # "leave me alone (with your ads)"
    "leave_alone": _split(
        r"""leave_me_alone lasst_mich(\s\w+){0,4}_in_ruhe lassen_sie_mich(\s\w+){0,4}_in_ruhe
        dej\w*me_en_paz me_dej(en|as)_en_paz me_deix(a|e|em)_em_paz deix(a|em)_me_em_paz
        laissez_moi_tranquille lachez_moi foutez_moi_la_paix fichez_moi_la_paix
        mujhe_akela_chhod\w*"""
    ),
    # "... with your stuff": the business's messages by another name
    "your_stuff": _split(
        r"""mit_eurem mit_ihrem mit_euren mit_ihren with_your con_sus con_vuestr\w* com_as_vossas
        com_(os_)?seus com_suas avec_vos avec_votre"""
    ),
    # A particular thing to send, not the messages: "Don't send me the promo code"
    "specific": _split(
        r"""recibo bill tagihan
        code codigo coupon cupon cupom voucher gutschein link pdf archivo arquivo fichier datei
        invoice factura fatura facture rechnung"""
    ),
    # A payment's or a card's authorisation is not the messages'
    "payment": _split(
        r"""debito cargo pago pagamento cartao tarjeta carte prelevement paiement payment charge
        card transaction transaksi kartu lastschrift abbuchung purchase cobro cobranca"""
    ),
    # An order's or a parcel's: "suspendam o envio da encomenda", "stop the alerts for order 55"
    "order": _split(
        r"""orders? pedidos? commandes? bestellung(en)? encomendas? pesanan delivery entrega
        livraison lieferung paket pacote paquete colis package parcel shipment invoice
        factura fatura facture rechnung tagihan"""
    ),
    # App or error messages are not the business's marketing
    "app_noise": _split(
        r"""freezing crash\w* submit loading
        errors? error(es)? erros? erreurs? fehler\w* bugs? app laptop instagram facebook tiktok
        youtube website webseite online"""
    ),
    # Sending again what was asked for: "ga usah kirim ulang lagi", "no need to resend"
    "resend": _split(r"""ulang resend reenviar reenvien reenvoyer renvoyer erneut"""),
    # "from <something>": "mich vom Yoga abmelden" is not the messages
    "source": _split(r"""vom von from de del du dari"""),
    # A question that is a request: "can you not text me anymore?"
    "can_you": _split(
        r"""auriez_vous
        can_you could_you would_you can_u pls please would_it_be_possible pueden podrian
        puede seria_posible podem poderiam pouvez_vous pourriez konnen_sie konnten_sie konnt_ihr
        ware_es_moglich kya_aap bisa tolong mohon kripya"""
    ),
    # "how do I make these stop?": a question that is a request
    "how": _split(
        r"""how is_there_a_way any_way como hay_forma tem_como comment y_a_t_il_moyen wie
        gibt_es_eine_moglichkeit kaise gimana bagaimana caranya"""
    ),
    # "why don't you write any more?" is a complaint
    "why": _split(r"""why warum wieso weshalb pourquoi por_que porque kyun kyon kyu kenapa kok"""),
    # "not now": "jangan ganggu dulu, saya lagi meeting", "don't call me today"
    "for_now": _split(
        r"""dulu for_now por_ahora ahorita pour_l_instant pour_le_moment im_moment gerade today
        tonight hoy heute aaj hari_ini this_week esta_semana cette_semaine diese_woche
        meeting reunion until hasta ate jusqu bis sampai before antes avant vor sebelum pehle"""
    ),
    # The messages should go elsewhere, not stop
    "redirect": _split(
        r"""papel papier paper kertas hard_copy hardcopy por_aqui par_ici yahin lewat_wa
        lewat_whatsapp
        instead en_lugar em_vez au_lieu stattdessen other_number otro_numero outro_numero
        autre_numero andere_nummer nomor_lain email e_mail correo courriel new_number
        nuevo_numero novo_numero nouveau_numero neue_nummer naya_number naye_number nomor_baru sirf
        better_(to|by|on|via) mejor_(por|escrib\w*|llam\w*) melhor_(por|me)
        only_(on|by|via|whatsapp|text|call) dusri_company other_company otra_empresa
        outra_empresa autre_entreprise andere_firma perusahaan_lain fijo landline festnetz
        telefone_fixo"""
    ),
    # A rule about the number: "not to be used for marketing", "não pode receber publicidade"
    "norm_not": _split(
        r"""not_to_be should_not shouldn_t must_not mustn_t may_not cannot can_t no_debe no_puede
        nao_deve nao_pode ne_doit ne_peut nicht_fur darf_nicht durfen_nicht ist_nicht_fur
        tidak_untuk tidak_boleh bukan_untuk use_na"""
    ),
    # "is there a way to make these messages end?"
    "end_last": [r"end$"],
    # French imperatives that "plus" right after ends ("me contactez plus": ne dropped)
    "fr_imperative": _split(r"""contactez recontactez ecrivez envoyez appelez relancez texter"""),
    # "I (don't) get ...": a complaint about what arrives, not a request
    "i_receive": _split(r"""bekomme erhalte kriege recibo recebo recois"""),
    # "I want you to stop", "quiero que paren"
    "want_stop": _split(
        r"""quiero_que_paren quero_que_parem quero_que_isso_pare i_want_(you|it|this|them)_to_stop
        je_veux_que_(ca|vous)_(s_arrete|arretiez) ich_will_dass_(ihr|sie|das)_auf\w*"""
    ),
    # "how many times do I have to ask you to stop?"
    "how_many_times": _split(
        r"""how_many_times cuantas_veces quantas_vezes combien_de_fois wie_oft kitni_baar
        berapa_kali"""
    ),
    # "... from you": "não quero mais nada de vcs"
    "from_you": _split(
        r"""de_vcs de_voces de_ustedes from_you de_vous von_euch von_ihnen dari_kalian aapse"""
    ),
    # "I already asked to be taken off": an opt-out even inside a "why...?" complaint
    "already_asked": _split(
        r"""(ya_)?pedi_la_baja (ja_)?pedi_(pra|para)_sair already_asked_to_be_removed
        mich(\s\w+){0,3}\sabgemeldet_habe"""
    ),
    # A Hindi sentence (it puts the object before the verb)
    "hi": _split(
        r"""mjhe
        mujhe mujhko nahi nahin nhi mat karo kro karein kijiye chahiye aap hai hain kripya
        ye yeh mera meri ko se dijiye kar_do wala wale wali naya nayi purana"""
    ),
}

# Replies that want the messages or complain they stopped coming: the clause rules skip them.
GUARDS: dict[str, list[str]] = {
    "wants_them": _split(
        r"""wapas_add add_kar_do (dimasukin|masukin)_lagi
        (i|we)_love_(it|them|these|your|the_offers)
        me_encantan adoro j_adore ich_finde_(die|eure|ihre)_\w+_(super|toll|gut) surtout_ne_me
        ne_me_(desinscrivez|retirez|supprimez)_pas
        (i|we)_(really_)?(want|need)_(them|these|those|it)(?=\s*($|,|back|again|please|pls|too|thank))
        (i|we)_(really_)?(want|need)_(the_messages|it_back) me_rajouter me_remettre
        (^|please_|pls_|plz_|just_|and_|ok_)keep_(them_)?(coming|sending)
        (quiero|queremos)_(recibirlos|seguir_recibiendo)
        (quero|queremos)_(continuar|receber_(elas|eles)) je_(les_)?veux_(les_)?(recevoir|encore)
        mujhe_(ye_|yeh_)?(messages?|msgs?|offers?)_chahiye (offers?|messages?|msgs?)_wapas_chahiye
        (offers?|messages?|msgs?|promos?|updates)_chahiye
        (saya|aku)_(masih_)?mau_(dapet|dapat|terima(?!\skasih)) wieder_hinzufugen
        add_me_(back|again)
        agreg\w*me_de_nuevo me_adicion\w*_de_novo (masukin|tambahkan)_(saya|aku)_lagi
        rajoutez_moi ajoutez_moi_a_nouveau
        (lekin|but|pero|aber|tapi)(\s(?!nicht|not|no|nao|pas|ne|mat|jangan|don)\w+){0,4}_(batate_rehna|bhejte_rehna|keep_me_posted|keep_sending|keep_telling|sigan_(mandando|enviando|avisando)|continuem|continuez|weiter|tetap_kirim|kabarin)"""
    ),
    "stopped_coming": _split(
        r"""(kalian|udah)_(\w+_)?berhenti_(kirim_)?ya$ (udah_)?lama_(nggak|gak|ga|tidak)_dapet
        (did|have|why_did|why_have)_(you|u|ya|i|we)_(stop|stopped|quit)
        stopped_(sending|getting|receiving|coming)
        (haven_t|have_not|didn_t|did_not|not_been)_(got|gotten|getting|received|receiving)
        no_(me_)?(han_)?(llegado|llega|llegan|llego|recibi|recibo) no_he_recibido
        (dejaron|dejasteis|dejaste|han_dejado)_de (pararam|parou|deixaram)_de
        nao_(recebi|recebo|chegou|chega|chegam|to_recebendo|estou_recebendo)
        (avez|as|a)_arrete (pas|rien|plus)_recu aufgehort
        (kar|kr)_diya_kya band_(ho_)?ga(ya|ye|yi) (nahi|nhi)_(aaya|aa_raha|aa_rahe|mila|aate)
        (?<!biar_)(?<!supaya_)(?<!agar_)(?<!mau_)(gak|ga|tidak|belum|nggak|tdk)_(dapet|dapat|masuk|terima|nerima)
        (udah|sudah)_berhenti
        kenapa_(berhenti|gak|ga|tidak)
        (habe|hab|hatte|haben)(_\w+){0,4}_(bekommen|erhalten|gekriegt)""",
        r"(why|warum|wieso|pourquoi|por\s?que|porque|kyun|kyu|kenapa|kok)(\s\w+){0,3}\s"
        r"(not|don\st|no|keine|kein|nicht|ne|pas|plus|nao|nahi|gak|ga|tidak)(\s\w+){0,2}\s"
        r"(get|getting|receive|receiving|bekomme|erhalte|recibo|recibe|recebo|recois|dapat|dapet)",
        r"(why|warum|wieso|pourquoi|por\s?que|porque|kyun|kyu|kenapa|kok)(\s\w+){0,2}\s"
        r"(bekomme|erhalte|recibo|recebo|recois|dapat|dapet|milte|aate)(\s\w+){0,2}\s"
        r"(keine|kein|nicht|no|nao|plus|nahi|gak|ga|tidak)",
    ),
}

# Words after "any more" that end the request ("ne m'envoyez plus svp"), unlike an object
# ("don't send me more photos") or a time ("no me manden más tarde")
POLITE_ENDS = frozenset(
    _split(
        """please pls plz svp stp thanks thank thx por favor porfa pf bitte danke merci gracias
        obrigado obrigada ji bhai yaar ya kak min ok okay again ever rien nada nichts"""
    )
)
# Channels, not sendings: "no me contacten más por WhatsApp" asks nothing else
CHANNELS = frozenset(_split("whatsapp wa sms chat text txt"))
# "(stop) now": what may follow a request without being its object ("bórrenme ya")
NOW = frozenset(
    _split(
        """now ya already ahora agora ja maintenant immediatement sofort jetzt endlich abhi turant
        sekarang segera aja"""
    )
)
# Words that say "from" before a list ("sair da lista", "keluar dari list", "von der Liste")
FROM = frozenset(
    _split(
        """from of off de da do del dos das dessa desta dessa deste du des aus von vom dari se en"""
    )
)
# Roles a "not" just before cancels: "no dejen de mandar", "don't remove me"
NEGATABLE = frozenset(
    {"stop", "stop_final", "stop_last", "remove", "remove_me", "remove_list"}
    | {"cancel", "exit", "withdraw", "block", "out_of_list"}
)
# Between a "not" and its verb these end its reach: "don't forget to message me"
NOT_SCOPE_ENDS = frozenset(
    _split(
        """forget forgot hesitate olvides olvide olvidar dudes dude dudar esquece esquecam
        esqueca hesite hesitez hesiter oubliez oublie oublier vergiss vergessen zogern zogere
        lupa ragu sungkan bhoolna bhoolo bhulna bhulo need necesita necesitan precisa precisam
        besoin perlu usah zaroorat"""
    )
)
# A reply opening with one of these and then "I don't want" ("STOP não quero mais") opts out
LEADING_STOPS = frozenset(
    _split("stop stopp pare parem paren basta chega baja arrete arretez berhenti band")
)
# Words that join two separate requests: a role never pairs across them
BARRIERS = frozenset(
    _split("but pero aber lekin tapi tetapi cuma only solo apenas seulement nur sirf bas")
)
