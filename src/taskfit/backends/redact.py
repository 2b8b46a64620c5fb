"""Keep credentials out of everything taskfit shows or stores.

An endpoint URL may carry a secret: ``http://user:KEY@host/v1`` (userinfo) or a key-like
query parameter that some gateways use (``?api_key=KEY``, ``?token=KEY``, ``?sig=KEY``).
:func:`redact_url` replaces each with ``***``; :func:`redact_text` does the same for every
URL inside free text (error messages, progress lines). Specs keep the real URL for
requests and show only the redacted one (:attr:`taskfit.backends.LLMSpec.canonical`).

>>> redact_url("http://user:sk-123@gw.example.com:8080/v1?api_key=sk-123&region=eu")
'http://***@gw.example.com:8080/v1?api_key=***&region=eu'
>>> redact_text("POST http://u:p@h/v1/completions failed: 500")
'POST http://***@h/v1/completions failed: 500'
>>> redact_url("http://127.0.0.1:8000/v1")
'http://127.0.0.1:8000/v1'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

__all__ = ["MASK", "is_secret_param", "redact_text", "redact_url"]

MASK = "***"

# Query parameter names that carry a credential at some gateway or another.
_SECRET_PARAM = re.compile(
    r"(^|[-_.])(api[-_]?key|apikey|key|token|access[-_]?token|auth|authorization|secret|"
    r"password|passwd|pwd|sig|signature|code|credential|credentials|session)($|[-_.])",
    re.IGNORECASE,
)
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>(){}]+")
# Punctuation that ends a sentence rather than a URL ("failed: http://h/v1?token=K: ...").
_TRAILING = ".,;:!?"
# Fallbacks for a URL that urlsplit refuses: mask the userinfo and key-like values anyway.
_USERINFO = re.compile(r"(//)[^/?#@\s]*@")
_PARAM = re.compile(r"([?&;#])([^=&;#\s]+)=([^&;#\s]*)")


def is_secret_param(name: str) -> bool:
    """Does a query parameter called ``name`` look like it carries a credential?

    >>> is_secret_param("api-key"), is_secret_param("X-Token"), is_secret_param("region")
    (True, True, False)
    """
    return bool(_SECRET_PARAM.search(name))


def _redact_query(query: str) -> str:
    if not query:
        return query
    parts = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        shown = MASK if value and is_secret_param(name) else quote(value, safe="/:")
        parts.append(f"{quote(name, safe='')}={shown}")
    return "&".join(parts)


def redact_url(url: str) -> str:
    """``url`` with its userinfo and key-like query values replaced by ``***``.

    A string that is not a URL with a scheme and host comes back unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_unparsed(url)  # never fail open
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    query = _redact_query(parts.query)
    fragment = _redact_query(parts.fragment) if "=" in parts.fragment else parts.fragment
    if netloc == parts.netloc and query == parts.query and fragment == parts.fragment:
        return url  # nothing to hide: keep the caller's spelling
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def _redact_unparsed(url: str) -> str:
    """Regex masking for a URL :func:`urllib.parse.urlsplit` cannot parse."""
    url = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", url)
    return _PARAM.sub(
        lambda m: (
            f"{m.group(1)}{m.group(2)}={MASK}"
            if m.group(3) and is_secret_param(m.group(2))
            else m.group(0)
        ),
        url,
    )


def _redact_match(m: re.Match[str]) -> str:
    url = m.group(0)
    cut = len(url.rstrip(_TRAILING))
    return redact_url(url[:cut]) + url[cut:]


def redact_text(text: str) -> str:
    """``text`` with every URL in it passed through :func:`redact_url` (punctuation that
    follows a URL stays outside it)."""
    return _URL.sub(_redact_match, text)
