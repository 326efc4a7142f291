"""What a template needs filled, read from Meta's `components`, and the Cloud API `components`
of one send (Meta's "Send message templates" reference; pywa builds the same shapes).

A template has at most one header (TEXT with one parameter, IMAGE/VIDEO/DOCUMENT, LOCATION), one
body (positional `{{1}}` or named `{{first_name}}` parameters), a static footer and up to ten
buttons. Only some buttons take a value per send: a URL button whose URL ends in `{{1}}` (the
suffix), a COPY_CODE button (the coupon code), an OTP button (the code) and — optionally — a
QUICK_REPLY button (the payload Meta hands back in the button webhook). PHONE_NUMBER and static
URL buttons take nothing. Carousel and limited-time-offer templates are not filled by campaigns
(yet): `TemplateSpec.unsupported` names them so creation can refuse them with a 422.

Slots, as a campaign stores them (`template_slots`): `header` (`{"text": …}`, `{"image": {"id"
| "link"}}`, `{"document": {…, "filename"}}`, `{"location": {"latitude", "longitude", "name",
"address"}}`), `body` (named parameters: `{name: value}`; positional ones are the campaign's
`template_params`) and `buttons` (`{"<index>": value}`). Values are already personalised here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
# Meta: named parameters are lowercase letters, digits and underscores, starting with a letter/_.
_NAMED = re.compile(r"^[a-z_][a-z0-9_]*$")
_BREAKS = re.compile(r"[\t\r\n]+")
_LONG_SPACES = re.compile(r" {5,}")

MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT")
HEADER_FORMATS = ("TEXT", *MEDIA_FORMATS, "LOCATION")
# Button type → (what a send gives it, required?). Types not listed take no value.
BUTTON_VALUES: dict[str, tuple[str, bool]] = {
    "URL": ("url suffix", True),  # only when the URL has a {{1}}
    "COPY_CODE": ("coupon code", True),
    "OTP": ("one-time code", True),
    "QUICK_REPLY": ("payload", False),
}
MAX_PAYLOAD = 256
MAX_COUPON = 15


class SlotError(ValueError):
    """A slot that is missing, not in the template, or of the wrong kind; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Params:
    """The parameters of one text: positional (`count`) or named (`names`, in order)."""

    count: int = 0
    names: tuple[str, ...] = ()

    @property
    def named(self) -> bool:
        return bool(self.names)

    @property
    def size(self) -> int:
        return len(self.names) if self.names else self.count


def parse_params(text: str) -> Params:
    """`{{1}}`…`{{n}}` (consecutive from 1, may repeat) or `{{name}}`, never both in one text.
    Raises ValueError for anything else (`{{ 1 }}`, `{{}}`, gaps, `{{Name}}`)."""
    positional: set[int] = set()
    names: dict[str, None] = {}
    for raw in _PLACEHOLDER.findall(text or ""):
        if raw.isdigit() and int(raw) >= 1 and raw == str(int(raw)):
            positional.add(int(raw))
        elif _NAMED.match(raw):
            names.setdefault(raw)
        else:
            raise ValueError(
                f"placeholder {{{{{raw}}}}} is neither a positional parameter {{{{n}}}} "
                "nor a named one {{lowercase_name}}"
            )
    if positional and names:
        raise ValueError("a text uses positional ({{1}}) or named ({{name}}) parameters, not both")
    expected = set(range(1, len(positional) + 1))
    if positional != expected:
        problem = sorted(expected - positional) or sorted(positional - expected)
        raise ValueError(
            "parameters must be consecutive from {{1}}; "
            f"used {sorted(positional)}, problem at {problem}"
        )
    return Params(count=len(positional), names=tuple(names))


@dataclass(frozen=True)
class ButtonSpec:
    index: int
    type: str
    text: str = ""
    url: str | None = None

    @property
    def value(self) -> tuple[str, bool] | None:
        """(what a send gives this button, required?) or None when it takes nothing."""
        if self.type == "URL" and not _PLACEHOLDER.search(self.url or ""):
            return None
        return BUTTON_VALUES.get(self.type)

    def label(self) -> str:
        shown = self.url if self.type == "URL" and self.url else self.text
        return f"button {self.index} ({self.type}{': ' + shown if shown else ''})"


@dataclass(frozen=True)
class TemplateSpec:
    header_format: str | None = None
    header_params: Params = Params()
    body_params: Params = Params()
    buttons: tuple[ButtonSpec, ...] = ()
    unsupported: tuple[str, ...] = ()


def _upper(value: Any) -> str:
    return str(value or "").upper()


def spec_for(*, body: str, components: list[dict[str, Any]] | None) -> TemplateSpec:
    """Read a template: the body from our `body` column, the rest from Meta's `components`.
    Raises ValueError when a text's parameters are malformed."""
    header_format, header_params = None, Params()
    buttons: list[ButtonSpec] = []
    unsupported: list[str] = []
    for component in components or []:
        kind = _upper(component.get("type"))
        if kind == "HEADER":
            header_format = _upper(component.get("format")) or "TEXT"
            if header_format == "TEXT":
                header_params = parse_params(str(component.get("text") or ""))
            elif header_format not in HEADER_FORMATS:
                unsupported.append(f"a {header_format} header")
        elif kind == "BUTTONS":
            for raw in component.get("buttons") or []:
                if isinstance(raw, dict):
                    buttons.append(
                        ButtonSpec(
                            index=len(buttons),
                            type=_upper(raw.get("type")),
                            text=str(raw.get("text") or ""),
                            url=str(raw["url"]) if raw.get("url") else None,
                        )
                    )
        elif kind in ("CAROUSEL", "LIMITED_TIME_OFFER"):
            unsupported.append(f"a {kind} component")
    return TemplateSpec(
        header_format=header_format,
        header_params=header_params,
        body_params=parse_params(body),
        buttons=tuple(buttons),
        unsupported=tuple(unsupported),
    )


def slot_fields(spec: TemplateSpec) -> list[dict[str, Any]]:
    """What a campaign fills for this template, as request field names (shown on templates)."""
    out: list[dict[str, Any]] = []
    fmt = spec.header_format
    if fmt == "TEXT" and spec.header_params.size:
        out.append({"field": "template_components.header.text", "required": True})
    elif fmt in (*MEDIA_FORMATS, "LOCATION"):
        out.append({"field": f"template_components.header.{fmt.lower()}", "required": True})
    if spec.body_params.named:
        out += [
            {"field": f"template_components.body.{n}", "required": True}
            for n in spec.body_params.names
        ]
    else:
        out += [
            {"field": f"template_params.{i}", "required": True}
            for i in range(spec.body_params.count)
        ]
    for button in spec.buttons:
        if button.value is not None:
            what, required = button.value
            out.append(
                {
                    "field": f"template_components.buttons.{button.index}",
                    "required": required,
                    "value": what,
                }
            )
    return out


# --- checking a campaign's slots against the template -------------------------------------

_PREFIX = "template_components"


def _check_header(spec: TemplateSpec, header: Mapping[str, Any] | None) -> list[SlotError]:
    fmt = spec.header_format
    needs = None
    if fmt == "TEXT" and spec.header_params.size:
        needs = "text"
    elif fmt in (*MEDIA_FORMATS, "LOCATION"):
        needs = fmt.lower()
    given = next(iter(header), None) if header else None
    if needs is None and given is not None:
        reason = "no header" if fmt is None else "a header without parameters"
        return [SlotError(f"{_PREFIX}.header.{given}", f"the template has {reason}")]
    if needs is not None and given is None:
        return [SlotError(f"{_PREFIX}.header.{needs}", f"the template's {fmt} header needs it")]
    if needs != given:
        return [
            SlotError(
                f"{_PREFIX}.header.{given}",
                f"the template's header is {fmt}: give header.{needs} instead",
            )
        ]
    return []


def _check_body(
    spec: TemplateSpec, positional: list[Any], named: Mapping[str, Any] | None
) -> list[SlotError]:
    params = spec.body_params
    named = named or {}
    if params.named:
        errors = []
        if positional:
            errors.append(
                SlotError("template_params", "the template's body takes named parameters")
            )
        errors += [
            SlotError(f"{_PREFIX}.body.{n}", f"the body parameter {{{{{n}}}}} needs a value")
            for n in params.names
            if n not in named
        ]
        errors += [
            SlotError(f"{_PREFIX}.body.{n}", f"the template's body has no parameter {{{{{n}}}}}")
            for n in named
            if n not in params.names
        ]
        return errors
    if named:
        first = next(iter(named))
        kind = "positional" if params.count else "no"
        return [
            SlotError(f"{_PREFIX}.body.{first}", f"the template's body takes {kind} parameters")
        ]
    if len(positional) != params.count:
        return [
            SlotError(
                "template_params",
                f"the template takes {params.count} body parameter(s), got {len(positional)}",
            )
        ]
    return []


def _check_buttons(spec: TemplateSpec, buttons: Mapping[str, Any] | None) -> list[SlotError]:
    buttons = buttons or {}
    by_index = {str(b.index): b for b in spec.buttons}
    errors: list[SlotError] = []
    for key in buttons:
        button = by_index.get(str(key))
        if button is None:
            errors.append(
                SlotError(f"{_PREFIX}.buttons.{key}", f"the template has no button at index {key}")
            )
        elif button.value is None:
            errors.append(SlotError(f"{_PREFIX}.buttons.{key}", f"{button.label()} takes no value"))
    for button in spec.buttons:
        if button.value and button.value[1] and str(button.index) not in buttons:
            errors.append(
                SlotError(
                    f"{_PREFIX}.buttons.{button.index}",
                    f"{button.label()} needs its {button.value[0]}",
                )
            )
    return errors


def check_slots(
    spec: TemplateSpec, *, params: list[Any], slots: Mapping[str, Any] | None
) -> list[SlotError]:
    """Every problem of a campaign's slots for this template (empty when they fit)."""
    slots = slots or {}
    errors = [
        SlotError("template_id", f"the template has {what}, which campaigns cannot fill yet")
        for what in spec.unsupported
    ]
    errors += _check_header(spec, slots.get("header"))
    errors += _check_body(spec, params, slots.get("body"))
    errors += _check_buttons(spec, slots.get("buttons"))
    return errors


# --- the Cloud API components of one send ---------------------------------------------------


def clean_text(value: object, field: str) -> str:
    """Meta rejects parameter text with newlines/tabs or more than 4 consecutive spaces
    (132018) and empty parameters (131008)."""
    text = _LONG_SPACES.sub("    ", _BREAKS.sub(" ", str(value if value is not None else "")))
    if not text.strip():
        raise SlotError(field, "the parameter is empty for this recipient")
    return text


def _text_param(value: object, field: str, name: str | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {"type": "text", "text": clean_text(value, field)}
    if name is not None:
        param["parameter_name"] = name
    return param


def _header_component(spec: TemplateSpec, header: Mapping[str, Any]) -> dict[str, Any]:
    kind, value = next(iter(header.items()))
    if kind == "text":
        name = spec.header_params.names[0] if spec.header_params.named else None
        param = _text_param(value, f"{_PREFIX}.header.text", name)
    elif kind == "location":
        param = {"type": "location", "location": dict(value)}
    else:
        media = {k: v for k, v in value.items() if k in ("id", "link", "filename")}
        if kind != "document":
            media.pop("filename", None)
        param = {"type": kind, kind: media}
    return {"type": "header", "parameters": [param]}


def _button_component(button: ButtonSpec, value: object) -> dict[str, Any]:
    field = f"{_PREFIX}.buttons.{button.index}"
    text = clean_text(value, field).strip()
    if button.type == "QUICK_REPLY":
        if len(text) > MAX_PAYLOAD:
            raise SlotError(field, f"a quick-reply payload is at most {MAX_PAYLOAD} characters")
        sub_type, param = "quick_reply", {"type": "payload", "payload": text}
    elif button.type == "COPY_CODE":
        if len(text) > MAX_COUPON:
            raise SlotError(field, f"a coupon code is at most {MAX_COUPON} characters")
        sub_type, param = "copy_code", {"type": "coupon_code", "coupon_code": text}
    else:  # URL suffix, or an OTP code (Meta sends both as a url button's text)
        sub_type, param = "url", {"type": "text", "text": text}
    return {
        "type": "button",
        "sub_type": sub_type,
        "index": str(button.index),
        "parameters": [param],
    }


def build(
    spec: TemplateSpec, *, params: list[Any], slots: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The `template.components` of one send, in Meta's order (header, body, buttons).
    Raises the first SlotError when the slots do not fit the template."""
    slots = slots or {}
    problems = check_slots(spec, params=params, slots=slots)
    if problems:
        raise problems[0]
    out: list[dict[str, Any]] = []
    if slots.get("header"):
        out.append(_header_component(spec, slots["header"]))
    body = spec.body_params
    if body.named:
        named = slots["body"]
        parameters = [_text_param(named[n], f"{_PREFIX}.body.{n}", n) for n in body.names]
        out.append({"type": "body", "parameters": parameters})
    elif body.count:
        parameters = [_text_param(v, f"template_params.{i}") for i, v in enumerate(params)]
        out.append({"type": "body", "parameters": parameters})
    given = slots.get("buttons") or {}
    for button in spec.buttons:
        if str(button.index) in given:
            out.append(_button_component(button, given[str(button.index)]))
    return out


def preview(text: str, *, params: list[Any], named: Mapping[str, Any] | None) -> str:
    """The body as the recipient reads it (stored on the message row)."""

    def sub(match: re.Match[str]) -> str:
        raw = match[1]
        if raw.isdigit() and 0 < int(raw) <= len(params):
            return str(params[int(raw) - 1])
        if named and raw in named:
            return str(named[raw])
        return match[0]

    return _PLACEHOLDER.sub(sub, text or "")
