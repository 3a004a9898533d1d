"""What the assistant asks for when it is missing, by kind of problem (docs/architecture.md#assistant).

A table, like ``vocabulary``: each topic says which facts point to it, which runbooks belong
to it, and the few facts a senior would ask for first. A need is known when its fact key
(or one of ``also``) is in the session's facts, or when the technician already answered it
in words that are not a fact (``answered``: "internet works fine", "it's on USB").
``steps`` names the runbook questions that ask the same thing, so the reply does not ask it
twice when the walk stopped at one of them.
"""

import fnmatch
import re
from dataclasses import dataclass

_QUOTED = r"[\"“'‘][^\"”'’\n]{6,}[\"”'’]"  # a quoted message is the error text
_ERROR_WORDS = rf"{_QUOTED}|\b(?:says|saying|error\s+(?:says|message)|shows\s+(?:an?\s+)?error)\b"


@dataclass(frozen=True)
class Need:
    key: str
    question: str
    answered: str = ""  # regex over what the technician wrote
    also: tuple[str, ...] = ()  # other fact keys that answer it
    value: str = ""  # regex the fact value must match to count ("Brother" is not yet a model)
    unless: str = ""  # regex over the text that makes the question pointless
    steps: tuple[str, ...] = ()  # runbook question steps asking the same
    any_fact: bool = False  # known as soon as anything concrete is (for the general questions)


@dataclass(frozen=True)
class Topic:
    name: str
    flows: tuple[str, ...]
    triggers: tuple[tuple[str, str], ...]  # (fact key, value pattern: fnmatch, casefolded)
    needs: tuple[Need, ...]


OS = Need("os", "Which OS and version is the machine on (winver)?", also=("os_version", "os_build"))
ERROR = Need("error_code", "What exactly does the error say (the text or code, a screenshot helps)?",
             answered=_ERROR_WORDS)

TOPICS = (
    Topic("vpn", ("vpn-will-not-connect",), (("keyword", "vpn"), ("vpn_client", "*"), ("vpn_protocol", "*")), (
        Need("vpn_client", "Which VPN client do they connect with (GlobalProtect, AnyConnect/Secure Client, "
                           "FortiClient, the built-in Windows VPN…)?", steps=("which-client",)),
        Need("error_code", "What error does the VPN client show (its exact text or number)?", answered=_ERROR_WORDS,
             unless=r"\bconnects\b|\bis\s+connected\b"),
        Need("internet_works", "Does the internet work with the VPN disconnected?",
             answered=r"\binternet\b[^.\n]{0,20}\b(?:works?|working|fine|ok)\b|\bno\s+internet\b|\bcan\s+browse\b"
                      r"|\b(?:web\s*sites?|teams|email)\b[^.\n]{0,15}\b(?:works?|fine|load)",
             also=("internet",), steps=("internet",)),
    )),
    Topic("outlook", ("outlook-will-not-start",), (("product", "outlook"),), (
        Need("office_build", "Which Outlook is it: new or classic, and the Office version/build "
                             "(File > Office Account > About Outlook)?",
             answered=r"\b(?:new|classic)\s+outlook\b|\boutlook\s+20(?:16|19|21|24)\b|\bversion\s+\d{4}\b"),
        OS,
        Need("error_code", "What does Outlook say exactly (the error text, or where it stops: 'Loading profile'…)?",
             answered=_ERROR_WORDS + r"|\bloading\s+profile\b|\bprocessing\b|\bprompt\w*\b|\basks?\b|\basking\b"
                      r"|\bpop(?:s|ping)?\s+up\b|\bsplash\s+screen\b|\bhangs?\b|\bcrash\w*\b"),
    )),
    Topic("printer", ("printer-offline-spooler",),
          (("printer", "*"), ("keyword", "printer"), ("symptom", "can't print"), ("symptom", "print queue stuck")), (
        Need("printer", "Which printer is it (make and model)?", value=r"\d"),
        Need("connection", "How is it connected: USB, on the network by IP, or shared from a print server?",
             answered=r"\busb\b|\bnetwork\s+printer\b|\bshared\b|\bprint\s+server\b|\bwi-?fi\b|\bethernet\b"
                      r"|\\\\|\btcp/?ip\b", also=("ip_address", "hostname")),
        Need("ip_address", "What IP address does the printer show on its panel, and is that the one the Windows "
                           "port uses?", unless=r"\busb\b", steps=("ping-printer",)),
    )),
    Topic("teams", ("teams-audio-video",), (("product", "teams"), ("symptom", "no audio"), ("symptom", "no video"),
                                            ("symptom", "microphone"), ("keyword", "camera"), ("keyword", "headset")), (
        Need("audio_device", "Which headset or camera is it, and is it USB, Bluetooth or built in?",
             answered=r"\b(?:jabra|poly|plantronics|logitech|sennheiser|epos|airpods|bluetooth|usb|built-?in"
                      r"|webcam|headset|headphones|earbuds)\b", steps=("what-fails",)),
        Need("teams_client", "New Teams or classic Teams, or Teams in the browser?",
             answered=r"\b(?:new|classic)\s+teams\b|\bteams\s+(?:web|in\s+the\s+browser)\b"),
        OS,
    )),
    Topic("mfa", ("m365-mfa-lockout",), (("keyword", "mfa"), ("product", "microsoft authenticator"),
                                         ("product", "duo"), ("error_code", "aadsts*")), (
        Need("email", "Which account is it (the user's sign-in address)?"),
        Need("error_code", "What error or AADSTS code does the sign-in show?", answered=_ERROR_WORDS),
        Need("mfa_method", "Which MFA method do they use (Authenticator push, code, SMS), and did they change phones?",
             answered=r"\b(?:authenticator|sms|text\s+message|new\s+(?:i?phone|mobile)|lost\s+(?:their\s+|her\s+|his\s+)?"
                      r"phone|duo|hardware\s+key|fido|yubikey)\b"),
    )),
    Topic("lockout", ("ad-account-locked-out",), (("symptom", "locked out"), ("event_id", "4740"),
                                                  ("event_id", "4771"), ("product", "active directory")), (
        Need("email", "Which account is it (username or sign-in address)?", also=("username",)),
        Need("lockout_pattern", "Is this the first lockout, or does it keep locking after unlocks?",
             answered=r"\b(?:keeps|again|every|first\s+time|repeated\w*|daily|\d+\s*(?:times|x))\b",
             steps=("first-time",)),
        Need("hostname", "Which computer does event 4740 name as the Caller Computer Name?"),
    )),
    Topic("mapped_drive", ("mapped-drive-missing",), (("keyword", "mapped drive"), ("symptom", "drive missing"),
                                                      ("unc_path", "*"), ("symptom", "network path not found")), (
        Need("unc_path", "What is the drive's path (\\\\server\\share)?"),
        Need("error_code", "What happens when they open it: gone, red X, 'access denied', or an error number?",
             answered=_ERROR_WORDS + r"|\bred\s+x\b|\baccess\s+(?:is\s+)?denied\b|\bmissing\b|\bgone\b",
             steps=("symptom",)),
        Need("network_location", "Is the PC on the office network, or remote on the VPN?",
             answered=r"\b(?:vpn|office|remote|home|on-?site|wfh)\b", steps=("on-network",)),
    )),
    Topic("onedrive", ("onedrive-not-syncing",), (("product", "onedrive"), ("symptom", "not syncing")), (
        Need("onedrive_status", "What does the OneDrive icon in the taskbar say?",
             answered=r"\b(?:processing|pending|signed\s+out|sign[\s-]?in|red\s+x|paused|storage|full|stuck|icon)\b",
             steps=("status",)),
        ERROR,
        OS,
    )),
    Topic("slow", ("slow-computer",), (("symptom", "slow"), ("symptom", "freezes")), (
        Need("when_slow", "Is it slow all the time, at start-up and sign-in, or only in one program?",
             answered=r"\b(?:all\s+the\s+time|always|start-?up|boot\w*|sign-?in|log-?in|only\s+in|when\s+\w+ing)\b",
             steps=("when-slow",)),
        Need("resources", "What runs high in Task Manager > Performance (CPU, memory, disk)?",
             answered=r"\b(?:cpu|memory|ram|disk)\b[^.\n]{0,20}\d+\s*%|\d+\s*%\s*(?:cpu|memory|ram|disk)",
             steps=("task-manager",)),
        OS,
    )),
    Topic("disk", ("disk-full",), (("symptom", "disk full"),), (
        Need("machine_type", "Is it a user's workstation or a server?",
             answered=r"\b(?:server|workstation|laptop|desktop|rds|terminal\s+server)\b", steps=("machine-type",)),
        Need("free_space", "How much space is free on C:, and how big is the disk?",
             answered=r"\b\d+(?:\.\d+)?\s*(?:gb|mb|tb|bytes)\b|\d+\s*%"),
    )),
    Topic("dns", ("dns-resolution-failing",), (("keyword", "dns"), ("symptom", "name resolution")), (
        Need("ip_works", "Does the network work by IP address (ping 1.1.1.1)?",
             answered=r"\bby\s+ip\b|\bips?\b[^.\n]{0,15}\b(?:work|fine|answer|respond)|\bping\w*\b",
             steps=("ip-works",)),
        Need("failing_names", "Which names fail: everything, only internal servers, or one site?",
             answered=r"\b(?:internal|external|every\w*|all\s+sites|only|intranet|one\s+site)\b",
             also=("hostname",), steps=("which-names",)),
        OS,
    )),
    Topic("wifi", ("wifi-keeps-dropping",), (("keyword", "wi-fi"),), (
        Need("scope", "Does it happen to this one device, or to several in the same place?",
             answered=r"\b(?:only|just|one\s+laptop|several|everyone|all\s+(?:the\s+)?(?:users|laptops|devices)"
                      r"|other\s+(?:devices|laptops|people))\b", steps=("scope",)),
        Need("wifi_adapter", "Which Wi-Fi adapter does it have (Device Manager > Network adapters)?",
             answered=r"\b(?:intel|realtek|killer|qualcomm|mediatek|broadcom|ax\d{3})\b"),
        OS,
    )),
    Topic("onboarding", ("new-user-onboarding",), (("keyword", "onboarding"),), (
        Need("directory", "Are the client's accounts cloud-only (Entra ID), or on-premises AD synced with Entra "
                          "Connect?",
             answered=r"\b(?:cloud|on-?prem\w*|entra\s+connect|hybrid|synced|active\s+directory)\b",
             steps=("directory",)),
        Need("start_date", "When does the new user start?",
             answered=r"\b(?:monday|tuesday|wednesday|thursday|friday|tomorrow|next\s+week|today|starts?\s+on)\b"),
        Need("licence", "Which licence do they get (Business Premium, E3…)?",
             answered=r"\bbusiness\s+(?:basic|standard|premium)\b|\b[ef][135]\b|\blicen[cs]e"),
    )),
)

GENERAL = Topic("general", (), (), (
    Need("product", "Which program, service or device is affected?", any_fact=True),
    Need("symptom", "What exactly happens, and since when?", any_fact=True),
    Need("error_code", ERROR.question, answered=ERROR.answered, also=("event_id",)),
    OS,
))

# Names of the facts as the reply shows them.
FACT_LABELS = {
    "os": "OS", "os_version": "OS version", "os_build": "OS build", "product": "product",
    "office_build": "Office build", "vpn_client": "VPN client", "vpn_protocol": "VPN protocol", "printer": "printer",
    "error_code": "error", "event_id": "event ID", "kb_article": "update", "hostname": "host", "ip_address": "IP",
    "mac_address": "MAC", "unc_path": "path", "email": "account", "symptom": "symptom", "keyword": "topic",
}


def _hits(topic: Topic, facts: dict[str, str]) -> int:
    hits = 0
    for key, pattern in topic.triggers:
        values = [part.strip().casefold() for part in facts.get(key, "").split(", ") if part.strip()]
        hits += any(fnmatch.fnmatchcase(value, pattern) for value in values)
    return hits


def topic_for(facts: dict[str, str], flow_slug: str = "") -> Topic:
    """The topic most of the facts point to; the best-matching runbook breaks ties (an
    AADSTS50053 "account is locked" is an MFA problem because that runbook matched)."""
    best, best_score = GENERAL, 0
    for topic in TOPICS:
        points = _hits(topic, facts) + (2 if flow_slug and flow_slug in topic.flows else 0)
        if points > best_score:
            best, best_score = topic, points
    return best


def missing(topic: Topic, facts: dict[str, str], text: str, limit: int = 3) -> list[Need]:
    """The topic's needs not yet known, in the table's order (most useful first)."""
    found = []
    for need in topic.needs:
        if need.any_fact and facts:
            continue
        values = [facts.get(key, "") for key in (need.key, *need.also)]
        if any(value and (not need.value or re.search(need.value, value)) for value in values):
            continue
        if need.answered and re.search(need.answered, text, re.IGNORECASE):
            continue
        if need.unless and re.search(need.unless, text, re.IGNORECASE):
            continue
        found.append(need)
    return found[:limit]
