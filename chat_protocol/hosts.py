"""Host names in the form browsers put them in `Origin` and `URL.origin`.

IDNA 2008 with UTS #46 mapping, non-transitional, as the URL Standard does: `faß.example` is
`xn--fa-hia.example`. (Python's own "idna" codec is IDNA 2003, which maps it to `fass.example`, another
domain.) ASCII labels are kept as they are lower-cased, with what browsers allow in them (`_`, `--`)
although IDNA 2008 itself refuses it.
"""

MAX_HOST_CHARS = 253


def ascii_host(hostname: str) -> str:
    """The browser form of a DNS name (or IPv4 address); ValueError if a browser would refuse it."""
    import idna  # its tables cost start-up time; most processes never see a page push or a site

    if len(hostname) > MAX_HOST_CHARS:
        raise ValueError(f"host name longer than {MAX_HOST_CHARS} characters")
    try:
        mapped = idna.uts46_remap(hostname, std3_rules=False, transitional=False)
        labels = [
            label if label.isascii() and not label.startswith("xn--") else idna.alabel(label).decode("ascii")
            for label in mapped.split(".")
        ]
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError(f"not a host name: {hostname!r}") from exc
    host = ".".join(labels)
    if len(host) > MAX_HOST_CHARS:
        raise ValueError(f"host name longer than {MAX_HOST_CHARS} characters")
    return host
