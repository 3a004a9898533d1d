"""Offline fact extraction from what a technician writes (docs/architecture.md#assistant).

``extract_facts(text)`` returns ``(key, value)`` pairs with stable keys (``KEYS``), ordered
by key and then by where they appear, without duplicates. It is deliberately conservative:
a missed fact costs the technician one click in the facts panel, a wrong one misleads the
matching and the handoff note.

The text is read in passes from the most specific shapes to the loosest. Each pass claims
the characters it used, so a later, looser pass cannot reread them: ``10.0.19045.3803`` is
a Windows build and therefore never an IP address, ``MFC-L2750DW`` is a printer and never a
host name, ``jane@contoso.com`` is an email and ``contoso.com`` inside it is not a host.
"""

import bisect
import ipaddress
import re

from . import vocabulary as v

KEYS = (
    "os", "os_version", "os_build", "product", "office_build", "vpn_client", "vpn_protocol", "printer",
    "error_code", "event_id", "kb_article", "hostname", "ip_address", "mac_address", "unc_path", "email",
    "symptom", "keyword",
)


def _c(pattern: str, flags=re.IGNORECASE) -> re.Pattern:
    return re.compile(pattern, flags)


_UNIT_AFTER = r"(?!\s*(?:times?|x\b|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|users?|people|pcs?|machines?" \
              r"|computers?|devices?|%)|[-/.:]\d)"

# Bounded, and anchored at the start of a run of address characters: an unanchored "\w+@"
# rescans the rest of a long pasted log from every position and goes quadratic.
EMAIL = _c(r"(?<![\w.%+-])[a-z0-9._%+-]{1,64}@(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}\b")
URL = _c(r"\bhttps?://([^\s/:?#\"'<>\\\[\]]+)[^\s\"'<>]*")
UNC = _c(r"\\\\([a-z0-9][a-z0-9.-]*)((?:\\[^\s\\/:*?\"<>|]+)*)")
MAC = _c(r"(?<![\w:-])[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}(?![\w:-])")
CVE = _c(r"\bcve-\d{4}-\d{4,7}\b")
KB = _c(r"\bkb\s?-?(\d{6,7})\b")
WIN_VERSION = _c(r"\b10\.0\.(\d{5})(?:\.(\d{1,5}))?\b")
OFFICE_FULL = _c(r"\b16\.0\.(\d{4,5}\.\d{4,5})\b")
OFFICE_ABOUT = _c(r"\bversion\s+\d{4}\s*\(?\s*build\s+(\d{5}\.\d{4,5})\b")
BUILD = _c(r"\b(?:os\s+)?build\s*[:#]?\s*(\d{5})(?:\.(\d{1,5}))?\b")
OFFICE_CONTEXT = _c(r"\b(?:office|outlook|excel|word|powerpoint|click-to-run|microsoft\s*365|[mo]365|teams)\b")
IPV4 = _c(r"(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(/\d{1,2})?(?![\w]|\.\d)")
IPV6 = _c(r"(?<![\w:.])((?:[0-9a-f]{1,4})?(?::[0-9a-f]{0,4}){2,7})(%\w+)?(?![\w:])")
VERSION_BEFORE = _c(r"(?:\bv|\bver\.?|\bversion|\bbuild|\brelease|\bfirmware|\bdriver|\bbios|\bclient|\bagent"
                    r"|\bapp|globalprotect|anyconnect|forticlient)\s*:?\s*$")

HEX = _c(r"\b0x([0-9a-f]{2,8})\b")
AADSTS = _c(r"\baadsts(\d{5,6})\b")
CAA = _c(r"\bcaa[0-9a-f]{5}\b")
BARE_HRESULT = _c(r"\b(?:error|err|code|hresult)\b[\s:#]*(?:code\b[\s:#]*)?([8c][0-9a-f]{7})\b")
SMTP = _c(r"\b([45]\d\d)[\s-]+([45]\.\d{1,3}\.\d{1,3})\b")
HTTP = _c(r"\bhttp\s*(?:error|status)?\s*(?:code\s*)?[:#]?\s*([1-5]\d\d)\b"
          r"|\b([45]\d\d)\s*-?\s*(?:bad\s+gateway|service\s+unavailable|internal\s+server\s+error|gateway\s+time-?out"
          r"|not\s+found|forbidden|unauthori[sz]ed|bad\s+request|too\s+many\s+requests)\b")
STOP_CODE = _c(r"\bstop\s*code\s*[:\-]?\s*([a-z][a-z0-9_]{5,})")
BSOD = _c(r"\b(?:" + "|".join(v.BSOD_STOP_CODES) + r")\b")
# Browser and vendor codes written as identifiers: NET::ERR_CERT_DATE_INVALID, ERR_CONNECTION_RESET,
# DNS_PROBE_FINISHED_NXDOMAIN; QuickBooks' H202 / H505 and -6000-style codes after "error".
BROWSER_CODE = re.compile(r"\b(?:NET::)?ERR_[A-Z][A-Z0-9_]{3,}\b|\bDNS_PROBE_[A-Z_]{4,}\b|\bSSL_ERROR_[A-Z_]{4,}\b"
                          r"|\bSEC_ERROR_[A-Z_]{4,}\b", re.IGNORECASE)
QUICKBOOKS = re.compile(r"\bH[1-5]0[1-9]\b")
LETTER_CODE = re.compile(r"\b(?:error|code)\s*(?:code\s*)?[:#]?\s*([A-Z]{1,3}-?\d{2,5}|-\d{4,5})"
                         r"(?![\w-])", re.IGNORECASE)
NUMERIC_ERROR = _c(r"\b(system\s+)?(?:error|err)(?:\s+code)?\s*[:#]?\s*(\d{1,5})\b" + _UNIT_AFTER)

EVENT = _c(r"\bevents?\s*(?:id|code)?\s*[:#]?\s*(\d{1,5})\b" + _UNIT_AFTER)
KERNEL_POWER = _c(r"\bkernel-?power\s*\(?\s*(?:event\s*)?(?:id\s*)?[:#]?\s*(41)\b")
EVENT_BEFORE_WORD = _c(r"\b(" + "|".join(v.WELL_KNOWN_EVENT_IDS) + r")s?\s+(?:events?|entries"
                       r"|in\s+the\s+(?:security|system|application)\s+log)\b")

FQDN = _c(r"(?<![\w@.\\-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(?![\w-]|\.[a-z0-9])")

_brands = "|".join(sorted(map(re.escape, v.PRINTER_BRANDS), key=len, reverse=True)).replace(r"\ ", r"\s+")
_series = "|".join(sorted(map(re.escape, v.PRINTER_SERIES), key=len, reverse=True)).replace(r"\ ", r"\s+")
_series_words = "|".join(v.PRINTER_SERIES_WORDS)
_model = r"(?:(?:im|mp|sp|mx|dx|ix)\s+)?[a-z]{0,4}-?[a-z]{0,2}\d{2,5}[a-z]{0,4}"
PRINTER_HEAD = _c(rf"\b(?:(?P<brand>{_brands})(?:\s+(?P<series1>{_series}))?|(?P<series2>{_series}))\b")
PRINTER_TAIL = _c(rf"(?:\s+(?P<words>(?:{_series_words})(?:\s+(?:{_series_words}))*))?(?:\s+(?P<model>{_model}))?\b")
BROTHER_MODEL = _c(v.BROTHER_MODEL)
PRINTER_NOUN_AFTER = _c(r"\s+(?:printers?|mfps?|mfds?|copiers?|scanners?|multifunction|toner|print\s+queue)\b")
MODEL_PARTS = _c(r"^((?:[a-z]+\s+)?[a-z]*-?[a-z]*)(\d+)([a-z]*)$")
VPN_TABLES = (("vpn_client", [(name, _c(p)) for name, p in v.VPN_CLIENTS]),
              ("vpn_protocol", [(name, _c(p)) for name, p in v.VPN_PROTOCOLS]))
PRODUCT_TABLE = [(name, _c(p)) for name, p in v.PRODUCTS]
CAPITALISED = re.compile(r"(?<![\w-])(" + "|".join(v.CAPITALISED_PRODUCTS) + r")(?![\w-])")
PHRASE_TABLES = (("symptom", [(value, _c(p)) for value, p in v.SYMPTOMS]),
                 ("keyword", [(value, _c(p)) for value, p in v.KEYWORDS]))

WIN_CLIENT = _c(r"\b(?:microsoft\s+)?(?:windows|win)\s*-?\s*(7|8\.1|8|10|11)\b(?!\.\d)"
                r"(?:\s+(?:pro|home|enterprise|education|business|ltsc|iot)\b)?|\bw(10|11)\b")
_SERVER_YEAR = r"(2008|2012|2016|2019|2022|2025|2k(?:8|12|16|19|22|25))"
WIN_SERVER = _c(rf"\b(?:(?:microsoft\s+)?(?:windows|win)\s+)?(?:server|srv|svr|ws)\s*-?\s*{_SERVER_YEAR}(\s*r2)?\b"
                rf"|\b{_SERVER_YEAR}(\s*r2)?\s+(?:servers?|srv|svr)\b")
_mac_names = r"big\s*sur|monterey|ventura|sonoma|sequoia|tahoe|catalina|mojave|high\s+sierra"
MACOS = _c(rf"\b(?:mac\s*os(?:\s*x)?|macos|os\s*x|osx)\b((?:\s*\(?\s*(?:\d{{2}}(?:\.\d{{1,2}}){{0,2}}|{_mac_names})\)?)"
           r"{0,2})")
MAC_DEVICE = _c(r"\b(?:macbook(?:\s*(?:air|pro))?|imac|mac\s*mini|mac\s*studio)\b")
IOS = _c(r"(?<!cisco\s)\b(ios|ipados)\b(?:\s*(\d{1,2}(?:\.\d{1,2}){0,2})\b)?")
APPLE_MOBILE = _c(r"\b(iphone|ipad)s?\b")
ANDROID = _c(r"\bandroid(?:\s*(\d{1,2}(?:\.\d)?)\b)?")
CHROMEOS = _c(r"\bchrome\s*os\b|\bchromebooks?\b")
UBUNTU = _c(r"\bubuntu(?:\s+(\d{2}\.\d{2}))?(?:\s*lts)?\b")
FEATURE_VERSION = _c(r"\b((?:1[5-9]|2\d)h[12])\b")
LEGACY_VERSION = _c(rf"(?:\b(?:version|ver|v)\s*|(?<=10)\s+)({v.LEGACY_WINDOWS_VERSIONS})\b")

HOST_TOKEN = re.compile(r"(?<![\w.\\/@-])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Za-z]{2,8}\d{1,3})"
                        r"(?![\w@-]|\.[A-Za-z0-9])")
HOST_PREFIXED = _c(rf"^(?:{v.HOST_PREFIXES})-?\d{{1,3}}$")
HOST_HEAD = _c(rf"^(?:{v.HOST_PREFIXES})$")
HOST_CUE_BEFORE = _c(rf"\b{v.HOST_CUES}\b(?:\s+\S+){{0,2}}\s*[:=]?\s*$")
HOST_CUE_AFTER = _c(rf"^\s*(?:\(|,\s*)?(?:the\s+|our\s+|a\s+)?(?:{v.HOST_CUES}|is\s+(?:down|offline|unreachable)"
                    r"|(?:does|did|won'?t|can'?t)\s+(?:not\s+)?(?:answer|respond|ping|boot))\b")


class _Spans:
    """Disjoint character ranges, kept sorted so "is this range free?" stays cheap on a long
    pasted log."""

    def __init__(self):
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, start)
        if index and self.ends[index - 1] > start:
            return False
        return index == len(self.starts) or self.starts[index] >= end

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)


class _Scan:
    def __init__(self, text: str):
        self.text = text
        self.found: list[tuple[str, str, int]] = []
        self.inferred: list[tuple[str, str, int]] = []
        self.claimed = _Spans()
        self.opaque = _Spans()  # addresses: no symptom or keyword is read inside them

    def free(self, start: int, end: int) -> bool:
        return self.claimed.free(start, end)

    def add(self, key: str, value: str, start: int, end: int | None = None, *, opaque: bool = False) -> None:
        self.found.append((key, value, start))
        if end is not None:
            self.claimed.add(start, end)
            if opaque:
                self.opaque.add(start, end)

    def matches(self, pattern: re.Pattern, group: int = 0):
        """Matches whose ``group`` span nobody has claimed yet."""
        for match in pattern.finditer(self.text):
            if match.group(group) is not None and self.free(*match.span(group)):
                yield match


def extract_facts(text: str) -> list[tuple[str, str]]:
    scan = _Scan(text or "")
    for step in (_addresses, _versions_and_builds, _ip_addresses, _error_codes, _event_ids, _domain_names,
                 _printers, _vpn, _products, _operating_systems, _netbios_names, _symptoms_and_keywords):
        step(scan)
    present = {key for key, _, _ in scan.found}
    facts = scan.found + [fact for fact in scan.inferred if fact[0] not in present]
    seen, result = set(), []
    for key, value, _ in sorted(facts, key=lambda fact: (KEYS.index(fact[0]), fact[2])):
        if (key, value.casefold()) not in seen:
            seen.add((key, value.casefold()))
            result.append((key, value))
    return result


def merge_facts(pairs, *, limit: int = 500) -> dict[str, str]:
    """One value per key, as ``Fact`` stores them: several values of a key are joined."""
    merged: dict[str, list[str]] = {}
    for key, value in pairs:
        values = merged.setdefault(key, [])
        if value.casefold() not in (known.casefold() for known in values):
            values.append(value)
    return {key: ", ".join(values)[:limit] for key, values in merged.items()}


# ---- passes -------------------------------------------------------------------------------


def _host_value(host: str) -> str:
    return host.lower() if "." in host else host.upper()


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _addresses(scan: _Scan) -> None:
    for match in scan.matches(EMAIL):
        scan.add("email", match.group().lower(), *match.span(), opaque=True)
    for match in scan.matches(URL):
        host = match.group(1).rstrip(".")
        scan.add("ip_address" if _is_ip(host) else "hostname", _host_value(host), *match.span(), opaque=True)
    for match in scan.matches(UNC):
        path = match.group().rstrip(".,;:)")
        host = match.group(1)
        scan.add("hostname" if not _is_ip(host) else "ip_address", _host_value(host), match.start())
        if match.group(2):
            scan.add("unc_path", path, match.start(), match.start() + len(path), opaque=True)
        else:
            scan.claimed.add(*match.span())
    for match in scan.matches(MAC):
        scan.add("mac_address", match.group().upper().replace("-", ":"), *match.span(), opaque=True)
    for match in scan.matches(CVE):
        scan.claimed.add(*match.span())
    for match in scan.matches(KB):
        scan.add("kb_article", f"KB{match.group(1)}", *match.span())


def _windows_build(scan: _Scan, major: str, ubr: str | None, start: int, end: int) -> None:
    scan.add("os_build", f"{major}.{ubr}" if ubr else major, start, end)
    os_name, feature = v.WINDOWS_BUILDS.get(major, ("", ""))
    if os_name:
        scan.inferred.append(("os", os_name, start))
    if feature:
        scan.inferred.append(("os_version", feature, start))


def _versions_and_builds(scan: _Scan) -> None:
    for match in scan.matches(WIN_VERSION):
        _windows_build(scan, match.group(1), match.group(2), *match.span())
    for pattern in (OFFICE_FULL, OFFICE_ABOUT):
        for match in scan.matches(pattern):
            scan.add("office_build", match.group(1), *match.span())
    for match in scan.matches(BUILD):
        major, ubr = match.group(1), match.group(2)
        if major in v.WINDOWS_BUILDS:
            _windows_build(scan, major, ubr, *match.span())
        elif ubr and len(ubr) == 5 and OFFICE_CONTEXT.search(scan.text):
            scan.add("office_build", f"{major}.{ubr}", *match.span())


def _ip_addresses(scan: _Scan) -> None:
    for match in scan.matches(IPV4):
        address, prefix = match.group(1), match.group(2) or ""
        if not _is_ip(address) or address.startswith("255.") or (prefix and int(prefix[1:]) > 32):
            continue
        if VERSION_BEFORE.search(scan.text[max(0, match.start() - 30):match.start()]):
            continue
        scan.add("ip_address", address + prefix, *match.span(), opaque=True)
    for match in scan.matches(IPV6):
        candidate = match.group(1)
        if "::" not in candidate and candidate.count(":") != 7:
            continue
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        scan.add("ip_address", address.compressed, *match.span(), opaque=True)


def _error_codes(scan: _Scan) -> None:
    for match in scan.matches(HEX):
        scan.add("error_code", "0x" + match.group(1).upper(), *match.span())
    for match in scan.matches(AADSTS):
        scan.add("error_code", f"AADSTS{match.group(1)}", *match.span())
    for match in scan.matches(CAA):
        scan.add("error_code", match.group().upper(), *match.span())
    for match in scan.matches(BARE_HRESULT, 1):
        scan.add("error_code", "0x" + match.group(1).upper(), *match.span(1))
    for match in scan.matches(SMTP):
        scan.add("error_code", f"{match.group(1)} {match.group(2)}", *match.span())
    for match in scan.matches(HTTP):
        scan.add("error_code", f"HTTP {match.group(1) or match.group(2)}", *match.span())
    for match in scan.matches(STOP_CODE, 1):
        scan.add("error_code", match.group(1).upper(), *match.span(1))
    for match in scan.matches(BSOD):
        scan.add("error_code", match.group().upper(), *match.span())
    for match in scan.matches(BROWSER_CODE):
        value = match.group().upper()
        scan.add("error_code", value, *match.span())
    for match in scan.matches(QUICKBOOKS):
        scan.add("error_code", match.group(), *match.span())
    for match in scan.matches(LETTER_CODE, 1):
        code = match.group(1).upper()
        if re.fullmatch(r"[A-Z]{1,3}-?\d{2,5}", code) and code[0] in "KBX":
            continue  # KB numbers and x64/x86 are not errors
        if any(char.isalpha() for char in code) or code.startswith("-"):
            scan.add("error_code", code, *match.span(1))
    for match in scan.matches(NUMERIC_ERROR, 2):
        if match.group(1) or len(match.group(2)) >= 3:
            scan.add("error_code", match.group(2), *match.span(2))


def _event_ids(scan: _Scan) -> None:
    for pattern in (EVENT, KERNEL_POWER, EVENT_BEFORE_WORD):
        for match in scan.matches(pattern, 1):
            scan.add("event_id", match.group(1), *match.span(1))


def _domain_names(scan: _Scan) -> None:
    for match in scan.matches(FQDN):
        name = match.group(1).lower()
        if match.group(2).lower() in v.HOST_SUFFIXES and name not in v.NOT_HOSTS:
            scan.add("hostname", name, *match.span(), opaque=True)


def _printer_model(model: str, style: str) -> str:
    parts = MODEL_PARTS.match(model)
    if not parts:
        return model.upper()
    prefix, digits, suffix = parts.groups()
    prefix = re.sub(r"\s+", " ", prefix).upper()
    return prefix + digits + (suffix.lower() if style == "lower" else suffix.upper())


def _printers(scan: _Scan) -> None:
    for head in scan.matches(PRINTER_HEAD):
        tail = PRINTER_TAIL.match(scan.text, head.end())
        if tail and not scan.free(head.start(), tail.end()):
            tail = None
        end = tail.end() if tail else head.end()
        model = tail.group("model") if tail else None
        brand_word = head.group("brand")
        series_word = head.group("series1") or head.group("series2")
        if brand_word:
            brand, alone_enough, style = v.PRINTER_BRANDS[re.sub(r"\s+", " ", brand_word.lower())]
        else:
            brand = v.PRINTER_SERIES[re.sub(r"\s+", " ", series_word.lower())][0]
            alone_enough, style = True, v.PRINTER_BRANDS[brand.split()[0].lower()][2]
        if not (alone_enough or series_word or (model and model[0].isalpha())):
            # "hp" and "brother" alone are a laptop maker and a relative: only "brother
            # printer", "the hp copier" make them a printer.
            if not PRINTER_NOUN_AFTER.match(scan.text, end):
                continue
        parts = [brand]
        if series_word:
            parts.append(v.PRINTER_SERIES[re.sub(r"\s+", " ", series_word.lower())][1])
        if tail and tail.group("words"):
            parts.extend(v.PRINTER_SERIES_WORDS[word.lower()] for word in tail.group("words").split())
        if model:
            parts.append(_printer_model(model, style))
        scan.add("printer", " ".join(parts), head.start(), end)
    for match in scan.matches(BROTHER_MODEL):
        scan.add("printer", "Brother " + _printer_model(match.group(), "upper"), *match.span())


def _vpn(scan: _Scan) -> None:
    for key, table in VPN_TABLES:
        for name, pattern in table:
            for match in scan.matches(pattern):
                scan.add(key, name, *match.span())


def _products(scan: _Scan) -> None:
    for name, pattern in PRODUCT_TABLE:
        for match in scan.matches(pattern):
            scan.add("product", name, *match.span())
    for match in scan.matches(CAPITALISED):
        scan.add("product", v.CAPITALISED_PRODUCTS[match.group()], *match.span())


def _macos_version(tail: str) -> str:
    number = re.search(r"\d{2}(?:\.\d{1,2}){0,2}", tail)
    codename = re.search(_mac_names, tail, re.IGNORECASE)
    name = " ".join(word.capitalize() for word in codename.group().split()) if codename else ""
    if number:
        release = number.group()
        parts = release.split(".")
        major = ".".join(parts[:2]) if parts[0] == "10" else parts[0]
        return f"{release} {name or v.MACOS_NAMES.get(major, '')}".strip()
    if name:
        release = next((num for num, known in v.MACOS_NAMES.items() if known.lower() == name.lower()), "")
        return f"{release} {name}".strip()
    return ""


def _operating_systems(scan: _Scan) -> None:
    for match in scan.matches(WIN_SERVER):
        before = re.search(r"(\w+)\W*$", scan.text[max(0, match.start() - 30):match.start()])
        if before and before.group(1).lower() in v.SERVER_PRODUCT_WORDS:
            continue
        year = _server_year(match.group(1) or match.group(3))
        r2 = " R2" if (match.group(2) or match.group(4)) else ""
        scan.add("os", f"Windows Server {year}{r2}", *match.span())
    for match in scan.matches(WIN_CLIENT):
        scan.add("os", f"Windows {match.group(1) or match.group(2)}", *match.span())
    for match in scan.matches(MACOS):
        scan.add("os", "macOS", *match.span())
        if version := _macos_version(match.group(1)):
            scan.add("os_version", version, match.start())
    for match in scan.matches(MAC_DEVICE):
        scan.add("os", "macOS", *match.span())
    for match in scan.matches(IOS):
        scan.add("os", "iPadOS" if match.group(1).lower() == "ipados" else "iOS", *match.span())
        if match.group(2):
            scan.add("os_version", match.group(2), match.start())
    for match in scan.matches(APPLE_MOBILE):
        scan.add("os", "iPadOS" if match.group(1).lower() == "ipad" else "iOS", *match.span())
    for match in scan.matches(ANDROID):
        scan.add("os", "Android", *match.span())
        if match.group(1):
            scan.add("os_version", match.group(1), match.start())
    for match in scan.matches(CHROMEOS):
        scan.add("os", "ChromeOS", *match.span())
    for match in scan.matches(UBUNTU):
        scan.add("os", "Ubuntu", *match.span())
        if match.group(1):
            scan.add("os_version", match.group(1), match.start())
    for match in scan.matches(FEATURE_VERSION):
        scan.add("os_version", match.group(1).upper(), *match.span())
    for match in scan.matches(LEGACY_VERSION, 1):
        scan.add("os_version", match.group(1), *match.span(1))


def _server_year(year: str) -> str:
    """ "2k16" → "2016", "2k8" → "2008"; a full year is kept."""
    if year.lower().startswith("2k"):
        return f"20{int(year[2:]):02d}"
    return year


def _netbios_names(scan: _Scan) -> None:
    for match in scan.matches(HOST_TOKEN, 1):
        token = match.group(1)
        if len(token) > 15 or not any(char.isdigit() for char in token):
            continue
        segments = token.lower().split("-")
        hyphenated = len(segments) > 1
        head = segments[0] if hyphenated else re.match(r"[a-z]*", segments[0]).group()
        if head in v.NOT_HOST_HEADS:
            continue
        written_upper = token == token.upper()
        cue = (HOST_CUE_BEFORE.search(scan.text[max(0, match.start() - 40):match.start()])
               or HOST_CUE_AFTER.match(scan.text[match.end():match.end() + 40]))
        looks_like_host = (
            HOST_PREFIXED.match(token)
            or (hyphenated and (written_upper or len(segments) > 2 or HOST_HEAD.match(head) or cue
                                or any(HOST_PREFIXED.match(segment) for segment in segments[1:])))
            or (written_upper and cue)
        )
        if looks_like_host:
            scan.add("hostname", token.upper(), *match.span(1))


def _symptoms_and_keywords(scan: _Scan) -> None:
    for key, table in PHRASE_TABLES:
        for value, pattern in table:
            for match in pattern.finditer(scan.text):
                if scan.opaque.free(*match.span()):
                    scan.add(key, value, match.start())
                    break
