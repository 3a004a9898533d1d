"""What the offline fact extractor recognises: products, VPN clients, printers, Windows
builds, symptoms. Data only; the matching rules live in ``extract.py``.

Patterns are matched case-insensitively against what a technician typed. Words that are
also ordinary English ("word", "teams", "edge", "zoom", "exchange", "brother") only count
with context that makes the product reading the likely one.
"""

# Windows build → (os, feature version). Builds shared by a client and a server release
# (14393, 17763, 26100) name the client; an explicit "Server 2019" in the text wins.
WINDOWS_BUILDS = {
    "10240": ("Windows 10", "1507"), "10586": ("Windows 10", "1511"), "14393": ("Windows 10", "1607"),
    "15063": ("Windows 10", "1703"), "16299": ("Windows 10", "1709"), "17134": ("Windows 10", "1803"),
    "17763": ("Windows 10", "1809"), "18362": ("Windows 10", "1903"), "18363": ("Windows 10", "1909"),
    "19041": ("Windows 10", "2004"), "19042": ("Windows 10", "20H2"), "19043": ("Windows 10", "21H1"),
    "19044": ("Windows 10", "21H2"), "19045": ("Windows 10", "22H2"), "20348": ("Windows Server 2022", ""),
    "22000": ("Windows 11", "21H2"), "22621": ("Windows 11", "22H2"), "22631": ("Windows 11", "23H2"),
    "26100": ("Windows 11", "24H2"), "26200": ("Windows 11", "25H2"),
}
LEGACY_WINDOWS_VERSIONS = "1507|1511|1607|1703|1709|1803|1809|1903|1909|2004"

MACOS_NAMES = {
    "10.13": "High Sierra", "10.14": "Mojave", "10.15": "Catalina", "11": "Big Sur", "12": "Monterey",
    "13": "Ventura", "14": "Sonoma", "15": "Sequoia", "26": "Tahoe",
}

# Server products whose name ends in "Server 2019": not the operating system.
SERVER_PRODUCT_WORDS = ("sql", "exchange", "sharepoint", "project", "biztalk", "foundation", "skype", "lync")

BSOD_STOP_CODES = (
    "CRITICAL_PROCESS_DIED", "IRQL_NOT_LESS_OR_EQUAL", "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
    "PAGE_FAULT_IN_NONPAGED_AREA", "SYSTEM_SERVICE_EXCEPTION", "KMODE_EXCEPTION_NOT_HANDLED",
    "INACCESSIBLE_BOOT_DEVICE", "WHEA_UNCORRECTABLE_ERROR", "DPC_WATCHDOG_VIOLATION", "MEMORY_MANAGEMENT",
    "CLOCK_WATCHDOG_TIMEOUT", "VIDEO_TDR_FAILURE", "UNEXPECTED_STORE_EXCEPTION",
    "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED", "DRIVER_POWER_STATE_FAILURE", "CRITICAL_STRUCTURE_CORRUPTION",
)

# Event IDs a technician may write without the word "event" ("4740s on the PDC").
WELL_KNOWN_EVENT_IDS = ("41", "1000", "1001", "4624", "4625", "4740", "4767", "4771", "4776", "6008", "7031",
                        "7034", "10016", "20227")

# (canonical name, pattern). First match wins for a span; longer names come first.
PRODUCTS = [
    ("Entra Connect", r"\b(?:azure\s*ad|aad|entra(?:\s+id)?)\s+connect(?:\s+sync)?\b"),
    ("Entra ID", r"\bentra(?:\s+id)?\b|\bazure\s*ad\b|\baad\b"),
    ("Google Authenticator", r"\bgoogle\s+authenticator\b"),
    ("Microsoft Authenticator", r"\b(?:ms\s+|microsoft\s+)?authenticator(?:\s+app)?\b"),
    ("Outlook on the web", r"\boutlook\s+(?:on\s+the\s+)?web(?:\s*app)?\b|\bowa\b"),
    ("Outlook", r"\b(?:new\s+|classic\s+)?outlook\b(?:\.exe\b)?"),
    ("Teams", r"\b(?:ms|microsoft)[\s-]*teams\b|\bnew\s+teams\b|\bms-teams(?:\.exe)?\b|\bteams\.exe\b"
              r"|\bteams\s+(?:call|calls|meeting|meetings|chat|chats|app|client|audio|video|camera|mic|status"
              r"|channel|channels|desktop|classic|cache|installer|add-?in|room|rooms|phone|presence|notifications?"
              r"|keeps|won'?t|wont|will\s+not|crash(?:es|ed|ing)?|is\s+(?:not|stuck|slow)|isn'?t)\b"
              r"|\b(?:on|into|via|through|in)\s+teams\b"),
    ("OneDrive", r"\bone\s*drive\b"),
    ("SharePoint", r"\bshare\s*point\b"),
    ("Exchange Online", r"\bexchange\s+online\b|\bexo\b"),
    ("Exchange Server", r"\bexchange\s+(?:server\s*)?(?:20(?:10|13|16|19)|se)\b|\bexchange\s+server\b"
                        r"|\bon-?prem(?:ise)?s?\s+exchange\b"),
    ("Exchange", r"\bexchange\s+(?:admin|hybrid|mailbox|management\s+shell)\b|\becp\b"),
    ("SQL Server", r"\bsql\s*server(?:\s*(?:20\d\d|express))?\b"),
    ("Excel", r"\bexcel\b(?:\.exe\b)?"),
    ("Word", r"\b(?:ms|microsoft)\s+word\b|\bwinword(?:\.exe)?\b"
             r"|\bword\s+(?:doc|docs|document|documents|file|files|crash(?:es|ed|ing)?|keeps|won'?t|wont"
             r"|will\s+not|is\s+not|isn'?t|not\s+responding|freez(?:es|ing)|hangs?|opens?|20(?:16|19|21|24)"
             r"|365|online|template|macro|add-?in)\b"
             r"|(?<=outlook)\s*(?:,|and|&|/|or)\s*word\b|(?<=excel)\s*(?:,|and|&|/|or)\s*word\b"
             r"|\bword\s*(?:,|and|&|/|or)\s*(?=excel|outlook|powerpoint)"),
    ("PowerPoint", r"\bpower\s*point\b"),
    ("OneNote", r"\bone\s*note\b"),
    ("Microsoft 365", r"\b(?:microsoft|ms|office)\s*365\b|\b[om]365\b"),
    ("Office", r"\b(?:ms|microsoft)\s+office\b|\boffice\s+(?:20(?:13|16|19|21|24)|apps|suite|activation|install"
               r"|repair)\b|\bclick-to-run\b"),
    ("Intune", r"\bintune\b|\bcompany\s+portal\b"),
    ("Windows Autopilot", r"\bautopilot\b"),
    ("Active Directory", r"\bactive\s+directory\b|\baduc\b|\bad\s+(?:account|user|users|group|groups|password"
                         r"|sync|replication|ds|connect)\b"),
    ("Windows Update", r"\bwindows\s+updates?\b|\bwsus\b"),
    ("BitLocker", r"\bbit\s*locker\b"),
    ("Microsoft Defender", r"\b(?:microsoft\s+|windows\s+)?defender\b"),
    ("Remote Desktop", r"\bremote\s+desktop\b|\brdp\b|\bmstsc\b"),
    ("Citrix", r"\bcitrix\b"),
    ("Zoom", r"\bzoom\s+(?:call|calls|meeting|meetings|app|client|room|rooms|phone|webinar)\b|\bzoom\.us\b"
             r"|\b(?:on|via|over)\s+zoom\b"),
    ("Webex", r"\bwebex\b"),
    ("Chrome", r"\b(?:google\s+)?chrome\b(?!\s*os\b|book)"),
    ("Edge", r"\b(?:ms|microsoft)\s+edge\b|\bedge\s+browser\b|\bmsedge(?:\.exe)?\b"
             r"|\b(?:in|open|opens|using|via)\s+edge\b"),
    ("Firefox", r"\bfire\s*fox\b"),
    ("Adobe Acrobat", r"\b(?:adobe\s+)?acrobat(?:\s+(?:reader|pro|dc))?\b|\badobe\s+reader\b"),
    ("QuickBooks", r"\bquick\s*books\b"),
    ("Sage", r"\bsage\s*(?:50|200|100|x3|intacct|accounts|payroll)\b"),
    ("Windows Hello", r"\bwindows\s+hello\b|\bhello\s+for\s+business\b|\bwhfb\b"),
    ("Duo", r"\bduo(?:\s+(?:mobile|push|security|prompt))?\b"),
    # Line-of-business, security, backup and infrastructure software MSPs meet every week.
    ("Veeam", r"\bveeam\b"),
    ("Datto", r"\bdatto\b"),
    ("Xero", r"\bxero\b"),
    ("Dropbox", r"\bdropbox\b"),
    ("Slack", r"\bslack\s+(?:app|desktop|workspace|channel|huddle|call|notifications?)\b|\b(?:in|on|via)\s+slack\b"),
    ("Salesforce", r"\bsalesforce\b"),
    ("AutoCAD", r"\bauto\s*cad\b"),
    ("Revit", r"\brevit\b"),
    ("Adobe Creative Cloud", r"\b(?:adobe\s+)?creative\s+cloud\b"),
    ("Google Workspace", r"\bgoogle\s+workspace\b|\bg\s*suite\b"),
    ("Gmail", r"\bgmail\b"),
    ("Okta", r"\bokta\b"),
    ("LastPass", r"\blast\s*pass\b"),
    ("Bitwarden", r"\bbitwarden\b"),
    ("1Password", r"\b1\s*password\b"),
    ("Sophos", r"\bsophos\b"),
    ("SentinelOne", r"\bsentinel\s*one\b"),
    ("CrowdStrike", r"\bcrowd\s*strike\b"),
    ("Webroot", r"\bwebroot\b"),
    ("Bitdefender", r"\bbit\s*defender\b"),
    ("Mimecast", r"\bmimecast\b"),
    ("Proofpoint", r"\bproofpoint\b"),
    ("Hyper-V", r"\bhyper-?v\b"),
    ("VMware", r"\bvmware\b|\besxi\b|\bvsphere\b|\bvcenter\b"),
    ("IIS", r"\biis\b"),
    ("Synology", r"\bsynology\b"),
    ("QNAP", r"\bqnap\b"),
    ("Meraki", r"\bmeraki\b"),
    ("FortiGate", r"\bforti\s*gate\b"),
    ("SonicWall", r"\bsonic\s*wall\b(?!\s+(?:mobile\s+connect|net\s*extender))"),
    ("Power BI", r"\bpower\s*bi\b"),
    ("Visio", r"\bvisio\b"),
    ("Dynamics 365", r"\bdynamics\s*(?:365|crm|nav|gp|business\s+central)\b|\bbusiness\s+central\b"),
    ("Safari", r"\bsafari\b"),
    ("Windows Server Backup", r"\bwindows\s+server\s+backup\b|\bwbadmin\b"),
    ("Sage", r"\bsage\b(?=\s+(?:50|200|100|x3|intacct|accounts|payroll|is|keeps|won'?t|crash))"),
]

# Capitalised as written, these are the product, whatever the context.
CAPITALISED_PRODUCTS = {
    "Teams": "Teams", "Exchange": "Exchange", "Word": "Word", "Edge": "Edge", "AD": "Active Directory",
}

VPN_CLIENTS = [
    ("GlobalProtect", r"\bglobal\s*protect\b"),
    ("Cisco Secure Client", r"\bcisco\s+secure\s+client\b"),
    ("Cisco AnyConnect", r"\b(?:cisco\s+)?any\s*connect\b"),
    ("FortiClient", r"\bforti\s*client(?:\s+vpn)?\b"),
    ("WireGuard", r"\bwire\s*guard\b"),
    ("OpenVPN", r"\bopen\s*vpn(?:\s+connect)?\b"),
    ("SonicWall NetExtender", r"\b(?:sonicwall\s+)?net\s*extender\b"),
    ("SonicWall Mobile Connect", r"\bsonicwall\s+mobile\s+connect\b"),
    ("Ivanti Secure Access", r"\bpulse\s+secure\b|\bivanti(?:\s+secure\s+access)?\b"),
    ("Check Point VPN", r"\bcheck\s*point\s+(?:vpn|endpoint|mobile|capsule)\b"),
    ("WatchGuard Mobile VPN", r"\bwatchguard\s+(?:mobile\s+)?vpn\b"),
    ("Zscaler", r"\bzscaler\b|\bzpa\b"),
    ("Tailscale", r"\btailscale\b"),
    ("Always On VPN", r"\balways[\s-]on\s+vpn\b"),
    ("Windows built-in VPN", r"\b(?:windows|built-?in)\s+vpn\b"),
]

VPN_PROTOCOLS = [
    ("L2TP/IPsec", r"\bl2tp(?:\s*/\s*ipsec)?\b"),
    ("IKEv2", r"\bikev2\b"),
    ("SSTP", r"\bsstp\b"),
    ("PPTP", r"\bpptp\b"),
    ("SSL VPN", r"\bssl\s*-?vpn\b"),
    ("IPsec", r"\bipsec\b"),
]

# Printer brands: the canonical name, whether the word alone is enough (Ricoh is only ever
# the printer; "brother" and "hp" are not), and how the brand writes model suffixes.
PRINTER_BRANDS = {
    "hp": ("HP", False, "lower"), "hewlett packard": ("HP", False, "lower"),
    "brother": ("Brother", False, "upper"), "ricoh": ("Ricoh", True, "upper"),
    "canon": ("Canon", False, "lower"), "konica minolta": ("Konica Minolta", True, "lower"),
    "konica": ("Konica Minolta", True, "lower"), "kyocera": ("Kyocera", True, "lower"),
    "xerox": ("Xerox", True, "upper"), "epson": ("Epson", False, "upper"), "lexmark": ("Lexmark", True, "upper"),
    "sharp": ("Sharp", False, "upper"), "zebra": ("Zebra", False, "upper"),
}
# Series names imply their brand, so "laserjet m404" is an HP without the word "hp".
PRINTER_SERIES = {
    "color laserjet": ("HP", "Color LaserJet"), "laserjet": ("HP", "LaserJet"), "officejet": ("HP", "OfficeJet"),
    "deskjet": ("HP", "DeskJet"), "pagewide": ("HP", "PageWide"), "imagerunner": ("Canon", "imageRUNNER"),
    "imageclass": ("Canon", "imageCLASS"), "i-sensys": ("Canon", "i-SENSYS"), "pixma": ("Canon", "PIXMA"),
    "bizhub": ("Konica Minolta", "bizhub"), "ecosys": ("Kyocera", "ECOSYS"), "taskalfa": ("Kyocera", "TASKalfa"),
    "versalink": ("Xerox", "VersaLink"), "altalink": ("Xerox", "AltaLink"), "workcentre": ("Xerox", "WorkCentre"),
    "workforce": ("Epson", "WorkForce"), "ecotank": ("Epson", "EcoTank"),
}
PRINTER_SERIES_WORDS = {"pro": "Pro", "enterprise": "Enterprise", "advance": "ADVANCE", "managed": "Managed",
                        "mfp": "MFP", "flow": "Flow"}
# Brother model families are unambiguous on their own: MFC-L2750DW, HL-L2350DW, DCP-L2530DW.
BROTHER_MODEL = r"\b(?:mfc|hl|dcp)-?[a-z]?\d{3,5}[a-z]{0,4}\b"

# (value, pattern): problems as a technician describes them, for matching flows and cases.
SYMPTOMS = [
    ("won't boot", r"\b(?:won'?t|wont|will\s+not|doesn'?t|does\s+not|can'?t|cannot|fails?\s+to)\s+boot\b"
                   r"|\bboot\s*loop\b"),
    ("no power", r"\b(?:won'?t|wont|will\s+not|doesn'?t|does\s+not)\s+(?:turn|power|switch)\s+on\b"),
    ("won't open", r"\b(?:won'?t|wont|will\s+not|doesn'?t|does\s+not|can'?t|cannot|fails?\s+to|unable\s+to"
                   r"|not)\s+(?:start|open|launch|load)(?:ing)?\b"),
    ("crashes", r"\bcrash(?:es|ed|ing)?\b|\bkeeps\s+closing\b"),
    # "(Not Responding)" is the window title of a hung program; "the gateway is not responding" is not a freeze.
    ("freezes", r"\bfreez(?:e|es|ing)\b|\bfroze\b|\bhang(?:s|ing)?\b(?!\s+up)|\(not\s+responding\)"
                r"|\bunresponsive\b"),
    ("slow", r"\bslow(?:ly|ness)?\b|\bsluggish\b|\btakes\s+(?:ages|forever)\b"),
    ("offline", r"\boffline\b"),
    ("can't connect", r"\b(?:won'?t|wont|will\s+not|can'?t|cannot|unable\s+to|fails?\s+to|doesn'?t|not)\s+"
                      r"connect(?:ing)?\b|\bconnection\s+(?:attempt\s+)?(?:has\s+)?(?:failed|fails|refused|timed\s+out)\b"),
    ("keeps disconnecting", r"\bkeeps?\s+(?:dropping|disconnecting|cutting\s+out)\b|\bdrops?\s+(?:out|off)\b"
                            r"|\bdisconnects\b|\bintermittent(?:ly)?\b"),
    ("locked out", r"\blocked\s*out\b|\baccount\s+(?:is\s+|keeps\s+getting\s+|got\s+)?locked\b|\blockouts?\b"),
    ("password expired", r"\bpassword\s+(?:has\s+)?expired\b|\bexpired\s+password\b"),
    ("repeated password prompts", r"\b(?:keeps?|constantly|repeatedly)\s+(?:asking|prompting)\s+for\s+"
                                  r"(?:a\s+|the\s+|her\s+|his\s+|their\s+)?(?:password|credentials)\b"
                                  r"|\bpassword\s+prompts?\b"),
    ("can't sign in", r"\b(?:can'?t|cannot|unable\s+to|won'?t\s+let\s+(?:me|her|him|them))\s+(?:sign|log)\s*-?\s*in\b"
                      r"|\b(?:couldn'?t|could\s+not|can'?t|cannot)\s+sign\s+you\s+in\b|\blog\s*in\s+loop\b"),
    ("no audio", r"\bno\s+(?:sound|audio)\b|\b(?:can'?t|cannot|can\s+not)\s+(?:hear|be\s+heard)\b"
                 r"|\bnobody\s+can\s+hear\b"),
    ("disk full", r"\b(?:disk|drive|storage)\s+(?:is\s+)?full\b|\blow\s+disk\s+space\b|\bout\s+of\s+(?:disk\s+)?space\b"
                  r"|\b0\s+bytes\s+free\b"),
    ("print queue stuck", r"\b(?:print(?:ing)?\s+)?(?:jobs?|queue)\s+(?:is\s+|are\s+)?stuck\b"
                          r"|\bstuck\s+in\s+(?:the\s+)?(?:print\s+)?queue\b|\bspooler\s+(?:keeps\s+)?(?:stop|crash)"),
    ("can't print", r"\b(?:can'?t|cannot|won'?t|unable\s+to|not)\s+print(?:ing)?\b"),
    ("blue screen", r"\bblue\s*screens?\b|\bbsods?\b|\bbug\s*check\b"),
    ("unexpected restart", r"\b(?:keeps|randomly)\s+(?:restarting|rebooting|shutting\s+down)\b"
                           r"|\brestarts?\s+(?:randomly|by\s+itself|on\s+its\s+own)\b|\bunexpected(?:ly)?\s+shut"),
    ("access denied", r"\baccess\s+(?:is\s+)?denied\b|\bpermission\s+denied\b"),
    ("not syncing", r"\b(?:not|isn'?t|won'?t|stopped)\s+sync(?:ing|ed)?\b|\bsync\s+(?:issues?|problems?|errors?"
                    r"|pending|stuck)\b"),
    ("drive missing", r"\b(?:mapped\s+|network\s+|shared\s+)?drives?\s+(?:is\s+|are\s+|has\s+|have\s+)?"
                      r"(?:missing|gone|disappeared|vanished)\b|\bmissing\s+(?:mapped|network|shared)\s+drives?\b"),
    ("network path not found", r"\bnetwork\s+path\s+was\s+not\s+found\b|\bnetwork\s+path\s+not\s+found\b"),
    ("certificate error", r"\b(?:certificate|cert)\s+(?:error|expired|warning|not\s+trusted|is\s+not\s+trusted)\b"
                          r"|\buntrusted\s+certificate\b"),
    ("no internet", r"\bno\s+internet\b|\bnot\s+connected\s+to\s+(?:the\s+)?internet\b|\blimited\s+connectivity\b"),
    ("name resolution", r"\bname\s+resolution\b|\bnot\s+resolving\b"
                        r"|\b(?:could\s+not|couldn'?t|can'?t|cannot)\s+(?:be\s+)?resolve"
                        r"|\bnxdomain\b|\bserver\s+not\s+found\b|\bdns_probe\w*"),
    ("no video", r"\b(?:camera|webcam|video)\s+(?:is\s+)?(?:black|not\s+working|not\s+found|doesn'?t\s+work)\b"
                 r"|\bblack\s+(?:camera|video)\b|\bno\s+(?:camera|video)\b"),
    ("microphone", r"\b(?:mic|microphone)\s+(?:is\s+)?(?:not\s+working|muted|doesn'?t\s+work|dead|not\s+picking)"),
]

# Topics that say which runbook applies even without a symptom.
KEYWORDS = [
    ("Wi-Fi", r"\bwi-?fi\b|\bwireless\b|\bwlan\b"),
    ("VPN", r"\bvpn\b"),
    ("MFA", r"\bmfa\b|\b2fa\b|\bmulti-?factor\b|\btwo-?factor\b"),
    ("DNS", r"\bdns\b"),
    ("printer", r"\bprinters?\b"),
    ("mapped drive", r"\bmapped\s+drives?\b|\bnetwork\s+drives?\b|\bnet\s+use\b"),
    ("onboarding", r"\bnew\s+(?:user|starter|hire|employee|joiner)s?\b|\bonboard(?:ing)?\b"),
    ("email", r"\be-?mails?\b|\bmail\b|\bmailbox(?:es)?\b"),
    ("camera", r"\bcamera\b|\bwebcam\b"),
    ("headset", r"\bheadsets?\b|\bheadphones?\b|\bearbuds\b"),
]

# Top-level domains and internal suffixes that make "a.b" a host name rather than a file
# name ("outlook.exe", "config.json") or a code word ("node.js").
HOST_SUFFIXES = frozenset("""
com net org edu gov mil int io co uk de nl be fr es it se no dk fi pl at ch ie nz au ca us eu info biz me tv
local lan corp internal intra intranet home arpa cloud online site tech app dev ms ai xyz
""".split())
NOT_HOSTS = frozenset({"asp.net", "vb.net", "ado.net", "dot.net"})

# NetBIOS-style names built from these prefixes and a number are hosts: DC01, SRV3, FS02.
HOST_PREFIXES = (
    "dc|srv|svr|server|fs|pc|lt|ws|dt|sql|rds|exch|ex|prn|prt|print|app|web|hv|vm|nas|fw|ap|sw|ts|db|bk|bkp"
    "|backup|file|mail|laptop|desktop|nb|wks|wk|host|rdsh|ad|adc|dhcp|dns|ca|sccm|wsus|veeam"
)
# First segments of hyphenated words that look like host names but are not.
NOT_HOST_HEADS = frozenset("""
utf sha md covid wpa wpa2 wpa3 h x mp iso rfc cve kb win windows office m o ipv4 ipv6 ipv usb ddr ddr4 ddr5 lte
wi wifi tls ssl rsa aes type hdmi dp cat cat5 cat5e cat6 i3 i5 i7 i9 ryzen gen pcie sata nvme rj45 e tier level
step x86 x64 arm arm64 sp build v version port vlan error event page no top day week q mfa 2fa rtx gtx ax ac n g b
aadsts caa s p r t re pre non post mid sub co
""".split())
HOST_CUES = r"(?:pc|laptop|desktop|computer|machine|server|host|hostname|workstation|device|box|vm|dc|ping|rdp" \
            r"|nslookup|tracert|named|called)"
