"""What the fake Graph API refuses in media and template sends, the way Meta does.

Written from Meta's Cloud API reference ("Messages", "Send message templates", "Media") and
independently of the app's own builders, so a test that passes here means the app's request
matches the documented shape, not merely the app's idea of it.

Always checked (shape): a media object (`image`, `video`, `document`, `audio`, `sticker` — in a
message or a template header) has exactly one of `id` / `link`; a link is an http(s) URL; an id
was uploaded to the same phone number (`POST /{phone_number_id}/media`); a caption only on
image/video/document and at most 1,024 characters; `filename` only on documents. Template
components are `header` / `body` / `button` (plus `carousel`, `limited_time_offer`) with a
`parameters` list of typed parameters; a button has a `sub_type` and an `index` 0–9; text
parameters are non-empty.

Checked against the template when the fake knows it (`set_templates`), as Meta does:
132001 the template does not exist in that language; 132012 the header's media type differs
from the template's (`header: Format mismatch, expected IMAGE, received UNKNOWN`, also when the
header is missing); 132000 the number of header/body/button parameters differs, or named body
parameters (`parameter_name`) do not match the template's names; 131009 a button index the
template does not have, or a sub_type that is not that button's type.
"""

from __future__ import annotations

import re
from typing import Any

MEDIA_TYPES = ("image", "video", "document", "audio", "sticker")
CAPTIONED = ("image", "video", "document")
MAX_CAPTION = 1024
_PARAM = re.compile(r"\{\{(.*?)\}\}")
_BUTTON_SUB_TYPES = {
    "url": "URL",  # also OTP buttons (authentication templates)
    "quick_reply": "QUICK_REPLY",
    "copy_code": "COPY_CODE",
    "flow": "FLOW",
    "catalog": "CATALOG",
    "mpm": "MPM",
}
# (min, max) parameters per button type: a URL button with {{1}} and a copy-code button need
# one, a quick reply may carry a payload, the rest (phone number, static URL) take none.
_BUTTON_PARAMS_RANGE = {"URL": (1, 1), "COPY_CODE": (1, 1), "OTP": (1, 1), "QUICK_REPLY": (0, 1)}
_BUTTON_PARAM = {"url": "text", "quick_reply": "payload", "copy_code": "coupon_code"}
_PARAM_TYPES = {"text", "currency", "date_time", "payload", "coupon_code", "location", "action"}
_PARAM_TYPES |= set(MEDIA_TYPES) | {"product", "limited_time_offer", "tap_target_configuration"}

Problem = tuple[int, str] | None


def media_problem(kind: str, media: Any, uploaded: set[str], where: str) -> Problem:
    if not isinstance(media, dict) or ("id" in media) == ("link" in media):
        return 100, f"{where} must have exactly one of id or link"
    if "id" in media and str(media["id"]) not in uploaded:
        return 100, (
            f"{where}['id'] {media['id']} is not a valid media id for this phone number "
            "(upload it with POST /{phone_number_id}/media)"
        )
    if "link" in media and not re.match(r"^https?://[^/\s]+", str(media["link"])):
        return 100, f"{where}['link'] must be an http(s) URL"
    if "caption" in media:
        if kind not in CAPTIONED:
            return 100, f"{where}: {kind} messages have no caption"
        if not isinstance(media["caption"], str) or len(media["caption"]) > MAX_CAPTION:
            return 100, f"{where}['caption'] must be a string of at most {MAX_CAPTION} characters"
    if "filename" in media and kind != "document":
        return 100, f"{where}: only documents have a filename"
    return None


def _param_problem(param: Any, uploaded: set[str], where: str) -> Problem:
    ptype = param.get("type") if isinstance(param, dict) else None
    if ptype not in _PARAM_TYPES or ptype not in param:
        return 100, f"{where} needs a type and an object/value of that type"
    if ptype in ("text", "payload", "coupon_code") and not str(param[ptype] or "").strip():
        return 131008, f"{where}: required parameter {ptype} is missing or empty"
    if ptype in MEDIA_TYPES:
        return media_problem(ptype, param[ptype], uploaded, f"{where}[{ptype!r}]")
    if ptype == "location":
        loc = param["location"]
        if not isinstance(loc, dict) or not {"latitude", "longitude"} <= loc.keys():
            return 100, f"{where}: location needs latitude and longitude"
    return None


def components_problem(components: Any, uploaded: set[str]) -> Problem:
    """The documented shape of `template.components`."""
    if not isinstance(components, list):
        return 100, "template.components must be a list"
    for i, comp in enumerate(components):
        where = f"components[{i}]"
        if not isinstance(comp, dict):
            return 100, f"{where} must be an object"
        kind = comp.get("type")
        if kind not in ("header", "body", "button", "carousel", "limited_time_offer"):
            return 100, f"{where}['type'] {kind!r} is not a component type"
        params = comp.get("parameters", [])
        if kind in ("header", "body", "button") and not isinstance(params, list):
            return 100, f"{where}['parameters'] must be a list"
        if kind == "button":
            sub_type, index = comp.get("sub_type"), comp.get("index")
            if sub_type not in _BUTTON_SUB_TYPES:
                return 100, f"{where}['sub_type'] {sub_type!r} is not a button sub_type"
            if not re.fullmatch(r"[0-9]", str(index)) or isinstance(index, bool):
                return 100, f"{where}['index'] must be 0-9"
            wanted = _BUTTON_PARAM.get(sub_type)
            if wanted and any(p.get("type") != wanted for p in params if isinstance(p, dict)):
                return 100, f"{where}: a {sub_type} button takes {wanted} parameters"
        for j, param in enumerate(params if isinstance(params, list) else []):
            problem = _param_problem(param, uploaded, f"{where}['parameters'][{j}]")
            if problem:
                return problem
    return None


def find_template(templates: dict[str, list[dict[str, Any]]], name: str, code: str):
    for items in templates.values():
        for item in items:
            if item.get("name") == name and item.get("language") == code:
                return item
    return None


def _placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(_PARAM.findall(text or "")))


def _count_mismatch(part: str, expected: int, got: int) -> Problem:
    if expected == got:
        return None
    return 132000, (
        f"Number of parameters does not match the expected number of params: {part} "
        f"expects {expected}, got {got}"
    )


def _header_problem(definition: dict[str, Any] | None, sent: list[dict[str, Any]]) -> Problem:
    params = sent[0].get("parameters", []) if sent else []
    if definition is None:
        return _count_mismatch("header", 0, len(params)) if sent else None
    fmt = str(definition.get("format") or "TEXT").upper()
    if fmt == "TEXT":
        expected = len(_placeholders(definition.get("text", "")))
        return _count_mismatch("header", expected, len(params))
    got = str(params[0].get("type", "UNKNOWN")).upper() if params else "UNKNOWN"
    if got != fmt:
        return 132012, f"header: Format mismatch, expected {fmt}, received {got}"
    return None


def _body_problem(text: str, sent: list[dict[str, Any]]) -> Problem:
    names = _placeholders(text)
    params = sent[0].get("parameters", []) if sent else []
    problem = _count_mismatch("body", len(names), len(params))
    if problem or not names or all(n.isdigit() for n in names):
        return problem
    given = [p.get("parameter_name") for p in params]
    if sorted(map(str, given)) != sorted(names):
        return 132000, f"body: named parameters {given} do not match the template's {names}"
    return None


def _buttons_problem(buttons: list[dict[str, Any]], sent: list[dict[str, Any]]) -> Problem:
    by_index: dict[int, dict[str, Any]] = {}
    for comp in sent:
        index = int(comp["index"])
        if index >= len(buttons):
            return 131009, f"button index {index}: the template has {len(buttons)} button(s)"
        want = str(buttons[index].get("type", "")).upper()
        otp = want == "OTP" and comp["sub_type"] == "url"
        if _BUTTON_SUB_TYPES[comp["sub_type"]] != want and not otp:
            return 131009, f"button index {index} is {want}, not {comp['sub_type']}"
        by_index[index] = comp
    for index, button in enumerate(buttons):
        kind = str(button.get("type", "")).upper()
        low, high = _BUTTON_PARAMS_RANGE.get(kind, (0, 0))
        if kind == "URL" and "{{" not in str(button.get("url", "")):
            low = high = 0
        got = len(by_index[index].get("parameters", [])) if index in by_index else 0
        if not low <= got <= high:
            return _count_mismatch(f"button {index} ({kind})", high if got > high else low, got)
    return None


def template_problem(definition: dict[str, Any], sent: dict[str, Any]) -> Problem:
    """A template send against the template Meta holds (`definition`, as listed by
    GET /message_templates)."""
    parts = {str(c.get("type", "")).upper(): c for c in definition.get("components") or []}
    comps = sent.get("components") or []
    by_type: dict[str, list[dict[str, Any]]] = {}
    for comp in comps:
        by_type.setdefault(comp["type"], []).append(comp)
    for kind in ("header", "body"):
        if len(by_type.get(kind, [])) > 1:
            return 100, f"only one {kind} component is allowed"
    return (
        _header_problem(parts.get("HEADER"), by_type.get("header", []))
        or _body_problem(str(parts.get("BODY", {}).get("text", "")), by_type.get("body", []))
        or _buttons_problem(
            list(parts.get("BUTTONS", {}).get("buttons") or []), by_type.get("button", [])
        )
    )
