"""Message personalisation (SPEC §7): `{name}`, `{first_name}`, `{phone}`, `{email}`, contact
attributes (`{city}`), campaign metadata (`{product_name}`), fallbacks (`{name|there}`).

Syntax: `{key}` or `{key|fallback}`; `key` is a plain identifier (letters, digits, `_`), the
fallback is any text without braces. `{{` and `}}` are a literal `{` and `}`. Any other brace
(`{ 1 + 1 }`, `{%`, a lone `{`) is literal text.

Precedence: contact fields (name, first_name, phone, email) > contact attributes > campaign
metadata. An empty or missing value uses the fallback; with no fallback it renders empty (creation
rejects texts some recipient cannot fill, so this only happens when data changed since).

Rendering goes through Jinja2's SandboxedEnvironment, but user text never becomes Jinja code: the
literal parts are emitted with every `{` escaped, and each placeholder becomes `{{ vN or fN }}`
over values we computed ourselves (no attribute access, no filters, no calls).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import exists, select

from app.campaigns.models import Campaign, DripStep
from app.core.config import settings
from app.templates.components import preview
from app.templates.models import Template
from app.templates.service import build_components

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


CONTACT_FIELDS = ("name", "first_name", "phone", "email")

# `{{` / `}}` escapes, or a `{key}` / `{key|fallback}` placeholder.
_TOKEN = re.compile(
    r"(?P<open>\{\{)|(?P<close>\}\})"
    r"|\{\s*(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\|(?P<fallback>[^{}]*))?\}"
)
_ENV = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)


@dataclass(frozen=True)
class Placeholder:
    key: str
    fallback: str | None


@dataclass(frozen=True)
class _Parsed:
    placeholders: tuple[Placeholder, ...]
    jinja_source: str


def _jinja_literal(text: str) -> str:
    """Literal text for a Jinja template: every `{` is emitted by an expression, so `{{`, `{%`
    and `{#` in user text can never open a Jinja block."""
    return text.replace("{", "{{ '{' }}")


@lru_cache(maxsize=512)
def _parse(text: str) -> _Parsed:
    parts: list[str] = []
    found: list[Placeholder] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        parts.append(_jinja_literal(text[pos : match.start()]))
        pos = match.end()
        if match["open"]:
            parts.append(_jinja_literal("{"))
        elif match["close"]:
            parts.append("}")
        else:
            index = len(found)
            found.append(Placeholder(match["key"], match["fallback"]))
            parts.append(f"{{{{ v{index} or f{index} }}}}")
    parts.append(_jinja_literal(text[pos:]))
    return _Parsed(tuple(found), "".join(parts))


@lru_cache(maxsize=512)
def _compiled(text: str):  # type: ignore[no-untyped-def]
    return _ENV.from_string(_parse(text).jinja_source)


def parse(text: str) -> tuple[Placeholder, ...]:
    """Every placeholder occurrence in `text`, in order."""
    return _parse(text or "").placeholders


def placeholders(text: str) -> set[str]:
    """The keys `text` refers to (escaped braces excluded)."""
    return {p.key for p in parse(text)}


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _contact_value(contact: Any, key: str) -> str | None:
    """A contact's own value for `key` (field first, then attribute). Works on ORM contacts and
    on rows/objects exposing `name`, `phone`, `email`, `attributes`."""
    if contact is None:
        return None
    if key in CONTACT_FIELDS:
        if key == "first_name":
            name = _scalar(getattr(contact, "name", None))
            return name.split()[0] if name else None
        return _scalar(getattr(contact, key, None))
    attributes = getattr(contact, "attributes", None) or {}
    return _scalar(attributes.get(key)) if isinstance(attributes, Mapping) else None


def resolve(key: str, *, contact: Any, metadata: Mapping[str, Any] | None) -> str | None:
    """The value for `key`: contact fields > contact attributes > campaign metadata."""
    value = _contact_value(contact, key)
    if value is None and metadata:
        value = _scalar(metadata.get(key))
    return value


def render(text: str, *, contact: Any, metadata: Mapping[str, Any] | None) -> str:
    """`text` with placeholders filled for one contact."""
    if not text:
        return ""
    parsed = _parse(text)
    context: dict[str, str] = {}
    for index, ph in enumerate(parsed.placeholders):
        context[f"v{index}"] = resolve(ph.key, contact=contact, metadata=metadata) or ""
        context[f"f{index}"] = (ph.fallback or "").strip()
    return _compiled(text).render(context)


def keys_needing_contacts(text: str, *, metadata: Mapping[str, Any] | None) -> set[str]:
    """Keys only a contact can fill: used at least once without a fallback, no metadata value."""
    bare = {ph.key for ph in parse(text) if not (ph.fallback or "").strip()}
    return {key for key in bare if not (metadata and _scalar(metadata.get(key)))}


def missing_placeholders(
    text: str, *, contacts: Iterable[Any], metadata: Mapping[str, Any] | None
) -> dict[str, list[int]]:
    """Placeholder → ids of the contacts that cannot fill it (no value and no fallback)."""
    needed = sorted(keys_needing_contacts(text, metadata=metadata))
    if not needed:
        return {}
    missing: dict[str, list[int]] = {key: [] for key in needed}
    for contact in contacts:
        for key in needed:
            if _contact_value(contact, key) is None:
                missing[key].append(contact.id)
    return {key: ids for key, ids in missing.items() if ids}


@dataclass
class RenderedMessage:
    """What the engine sends for one recipient: a text body, a template with components, or
    a media message (`media`: {"type", "id" | "link", "filename"?}; `body` is its caption)."""

    kind: Literal["text", "template", "media"]
    body: str
    template_name: str | None = None
    language: str | None = None
    components: list[dict[str, Any]] = field(default_factory=list)
    variant: int | None = None  # which AI rewrite variant was rendered (None: the original)
    media: dict[str, Any] | None = None

    def media_object(self) -> tuple[str, dict[str, Any]]:
        """(type, the Cloud API media object) of a media message."""
        media = dict(self.media or {})
        kind = media.pop("type")
        media.pop("media_id", None)  # our id; Meta gets its own
        if self.body.strip():
            media["caption"] = self.body
        return kind, media


def _render_slots(
    slots: Mapping[str, Any], *, contact: Any, metadata: Mapping[str, Any]
) -> dict[str, Any]:
    """The slots with every text value personalised; media and locations pass unchanged."""
    out: dict[str, Any] = dict(slots)
    header = slots.get("header") or {}
    if "text" in header:
        out["header"] = {"text": render(header["text"], contact=contact, metadata=metadata)}
    for key in ("body", "buttons"):
        if slots.get(key):
            out[key] = {
                k: render(v, contact=contact, metadata=metadata) for k, v in slots[key].items()
            }
    return out


def rewriting_applies(db: Session, campaign: Campaign) -> bool:
    """AI rewriting applies: asked for, enabled, and the campaign sends free-form text."""
    if not (campaign.ai_rewrite and settings.AI_MESSAGE_REWRITING_ENABLED):
        return False
    if campaign.type != "drip":
        return campaign.template_id is None
    text_step = exists().where(DripStep.campaign_id == campaign.id, DripStep.template_id.is_(None))
    return bool(db.scalar(select(text_step)))


def variant_for(campaign: Any, position: int, contact_id: int) -> int | None:
    """The recipient's AI rewrite variant of a step's text: a fixed function of the ids, so
    the send path picks it without state (app.ai.variants writes the same pick, in SQL, on
    the queued rows when the pool is stored). None: no pool, the original text goes out."""
    if campaign.rewrite_status != "ready":
        return None
    pool = ((campaign.rewrite or {}).get("variants") or {}).get(str(position)) or []
    return (contact_id + campaign.id) % len(pool) if pool else None


def render_message(
    *, db: Session, campaign: Campaign, contact: Any, step: DripStep | None = None
) -> RenderedMessage:
    """The message for `contact` in `campaign` (or in its drip `step`), rendered now."""

    metadata = campaign.meta or {}
    source = step if step is not None else campaign
    template_id = source.template_id
    if template_id is None:
        text = source.message_template or ""
        position = step.position if step is not None else 0
        variant = variant_for(campaign, position, contact.id) if contact is not None else None
        if variant is not None:
            text = campaign.rewrite["variants"][str(position)][variant]
        body = render(text, contact=contact, metadata=metadata)
        if source.media:
            return RenderedMessage(kind="media", body=body, media=source.media, variant=variant)
        return RenderedMessage(kind="text", body=body, variant=variant)

    template = db.get(Template, template_id)
    if template is None:
        raise LookupError(f"template {template_id} of campaign {campaign.id} no longer exists")
    params = [
        render(raw, contact=contact, metadata=metadata) for raw in source.template_params or []
    ]
    slots = _render_slots(source.template_components or {}, contact=contact, metadata=metadata)
    return RenderedMessage(
        kind="template",
        body=preview(template.body, params=params, named=slots.get("body")),
        template_name=template.name,
        language=template.language,
        components=build_components(template, params, slots),
    )
