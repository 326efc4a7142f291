"""classify_reply: the LLM when configured (its JSON validated), else the local model.

The local classification is always computed first: it is fast (< 5 ms), it is the fallback,
and it carries the opt-out verdict from the explicit rules — which stands whatever the LLM says
(a legal decision is never left to a model). The workspace's custom intent model, when it has
one, is passed to the local classifier, and its labels are valid LLM intents too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.ai.classifier.local import PROBABLE_OPT_OUT_ACTION, classify_local
from app.ai.classifier.schemas import BUILTIN_INTENTS, Classification, LLMClassification
from app.ai.llm import LLMUnavailable, get_llm_client
from app.core.metrics import record_ai_fallback

REVIEW_BELOW = 60  # LLM confidence under this always goes to a person

SYSTEM = (
    "You classify a customer's WhatsApp reply to a business message. Choose the intent from the "
    "allowed list only. sentiment: positive, neutral or negative. confidence: 0-100, how sure "
    "you are of the intent. key_phrases: short phrases from the reply. suggested_action: what "
    "the business should do next. urgency: low, medium or high. auto_response: whether a safe "
    "automatic answer exists (should_respond), that answer (suggested_response), and whether a "
    "person must look (requires_human_review). language: ISO 639-1 code of the reply."
)


def _prompt(reply_text: str, original_message: str | None, intents: list[str]) -> str:
    return "\n".join(
        [
            "Allowed intents: " + ", ".join(intents),
            f"Our message: {original_message}" if original_message else "Our message: (unknown)",
            "Their reply:",
            reply_text,
        ]
    )


def _custom_model(db: Session | None, workspace_id: int | None):
    if db is None or workspace_id is None:
        return None
    from app.ai.custom_intents.service import load_model

    return load_model(db=db, workspace_id=workspace_id)


async def classify_reply(
    reply_text: str,
    original_message: str | None = None,
    *,
    db: Session | None = None,
    workspace_id: int | None = None,
) -> Classification:
    custom = _custom_model(db, workspace_id)
    local = classify_local(reply_text, original_message, custom_model=custom)
    client = get_llm_client()
    if not client.configured:
        return local
    intents = list(BUILTIN_INTENTS) + [
        label for label in getattr(custom, "labels", []) if label not in BUILTIN_INTENTS
    ]
    try:
        answer = await client.complete_json(
            _prompt(reply_text, original_message, intents),
            LLMClassification,
            system=SYSTEM,
            operation="classify",
        )
    except LLMUnavailable as exc:
        return local.model_copy(update={"fallback_reason": exc.reason})
    if answer.intent not in intents:
        record_ai_fallback(client.provider, "invalid_intent")
        return local.model_copy(update={"fallback_reason": "invalid_intent"})
    review = answer.auto_response.requires_human_review or answer.confidence < REVIEW_BELOW
    auto = answer.auto_response.model_copy(update={"requires_human_review": review})
    result = Classification(
        **answer.model_dump(exclude={"auto_response"}),
        auto_response=auto,
        provider=client.provider,
        opt_out=local.opt_out,
        probable_opt_out=not local.opt_out
        and (local.probable_opt_out or answer.intent == "opt_out"),
    )
    if local.opt_out:  # the rules decided: the reply is an opt-out, whatever the model said
        result = result.model_copy(
            update={
                "intent": "opt_out",
                "auto_response": local.auto_response,
                "suggested_action": local.suggested_action,
            }
        )
    elif result.probable_opt_out:  # a model alone may not opt anyone out: a person checks
        result = result.model_copy(
            update={
                "auto_response": auto.model_copy(
                    update={"should_respond": False, "requires_human_review": True}
                ),
                "suggested_action": PROBABLE_OPT_OUT_ACTION,
            }
        )
    return result
