"""An approximate location from the browser's IANA time zone (no IP database is shipped).

`Asia/Tokyo` -> "Japan (Tokyo)". The zone's country comes from the `tzdata` package's `zone.tab`,
the country's name from `iso3166.tab`, old names (`Asia/Calcutta`) through the links in `tzdata.zi`.
The result is always approximate: a time zone spans a region, and a browser's setting may be wrong.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _read(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(zone -> country code, country code -> name, alias -> zone), read once."""
    zones = {fields[2]: fields[0].split(",")[0] for fields in _read("zone.tab") if len(fields) >= 3}
    countries = {fields[0]: fields[1] for fields in _read("iso3166.tab") if len(fields) >= 2}
    links: dict[str, str] = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("L "):
            parts = line.split()
            if len(parts) == 3:
                links[parts[2]] = parts[1]
    return zones, countries, links


def approximate_location(time_zone: str) -> str:
    """ "Country (City)" for a known zone, "" for anything else (UTC, Etc/GMT+9, garbage)."""
    if not time_zone or len(time_zone) > 64:
        return ""
    zones, countries, links = _tables()
    zone = time_zone if time_zone in zones else links.get(time_zone, "")
    code = zones.get(zone)
    if code is None:
        return ""
    country = countries.get(code, code)
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{country} ({city})"[:100]
