"""Path segments that do not swallow their literal siblings.

`PATCH /contacts/import` used to reach `PATCH /contacts/{contact_id}` (and answer 422, "contact_id
must be an integer") instead of 405 with `Allow: POST`: Starlette picks a route matching path and
method over one matching the path only. A segment registered here matches anything but the
sibling names, so those paths get the 405 they deserve, while `/contacts/abc` still reaches the
route and gets its 422 naming the field.
"""

from __future__ import annotations

import re

from starlette.convertors import StringConvertor, register_url_convertor


def segment_except(name: str, *siblings: str) -> str:
    """Register the path convertor `name` (use as `{contact_id:name}`) and return `name`."""
    words = "|".join(re.escape(s) for s in siblings)

    class _NotASibling(StringConvertor):
        regex = rf"(?!(?:{words})(?:/|$))[^/]+"

    register_url_convertor(name, _NotASibling())
    return name
