"""Fact extraction from what technicians really type: lower case, typos, pasted output.

Each row is a message and exactly the facts expected from it, in the extractor's order
(by key, then by position). A row that expects nothing guards against false positives.
"""

import pytest

from sessions_app.assistant.extract import KEYS, extract_facts, merge_facts

MESSAGES = [
    (
        "outlook keeps crashing on startup for the CFO, win11 23h2. tried outlook.exe /safe and it "
        "opens fine in safe mode",
        [("os", "Windows 11"), ("os_version", "23H2"), ("product", "Outlook"), ("symptom", "crashes")],
    ),
    (
        "cant get into email, says AADSTS50053 account is locked. user is jane.doe@contoso.com, she got "
        "a new iphone yesterday",
        [("os", "iOS"), ("error_code", "AADSTS50053"), ("email", "jane.doe@contoso.com"),
         ("symptom", "locked out"), ("keyword", "email")],
    ),
    (
        "vpn (forticlient 7.0.9) wont connect from home - \"credential or ssl vpn configuration is "
        "wrong (-7200)\". home router is 192.168.1.1",
        [("vpn_client", "FortiClient"), ("vpn_protocol", "SSL VPN"), ("ip_address", "192.168.1.1"),
         ("symptom", "can't connect"), ("keyword", "VPN")],
    ),
    (
        "L2TP vpn error 809 on a windows 10 pro laptop, the built-in windows vpn. worked last week",
        [("os", "Windows 10"), ("vpn_client", "Windows built-in VPN"), ("vpn_protocol", "L2TP/IPsec"),
         ("error_code", "809"), ("keyword", "VPN")],
    ),
    (
        "anyconnect says \"Connection attempt has failed\" . user is on hotel wifi",
        [("vpn_client", "Cisco AnyConnect"), ("symptom", "can't connect"), ("keyword", "Wi-Fi")],
    ),
    (
        "printer offline again - Ricoh IM C3000 at 10.10.20.45, jobs stuck in queue. spooler restarted "
        "twice already",
        [("printer", "Ricoh IM C3000"), ("ip_address", "10.10.20.45"), ("symptom", "offline"),
         ("symptom", "print queue stuck"), ("keyword", "printer")],
    ),
    (
        "konica bizhub c300i shows offline in windows but prints from the panel fine. snmp?",
        [("printer", "Konica Minolta bizhub C300i"), ("symptom", "offline")],
    ),
    (
        "brother printer on reception wont print, error 0x00000709 when trying to set default",
        [("printer", "Brother"), ("error_code", "0x00000709"), ("symptom", "can't print"),
         ("keyword", "printer")],
    ),
    (
        "mapped S: drive is missing for new user, net use shows \\\\SRV-FS01\\Shared unavailable. "
        "system error 85 has occurred.",
        [("error_code", "85"), ("hostname", "SRV-FS01"), ("unc_path", "\\\\SRV-FS01\\Shared"),
         ("symptom", "drive missing"), ("keyword", "onboarding"), ("keyword", "mapped drive")],
    ),
    (
        "pc is super slow, takes forever to boot. task manager shows 100% disk, its an old HDD. "
        "DESKTOP-7QK2M1T",
        [("hostname", "DESKTOP-7QK2M1T"), ("symptom", "slow")],
    ),
    (
        "C drive full on SRV-APP02 (server 2016), 0 bytes free. winsxs is 14gb",
        [("os", "Windows Server 2016"), ("hostname", "SRV-APP02"), ("symptom", "disk full")],
    ),
    (
        "dns not resolving internal names, nslookup srv-fs01.corp.local times out. client dns set to "
        "8.8.8.8 instead of DC 192.168.10.5",
        [("hostname", "srv-fs01.corp.local"), ("ip_address", "8.8.8.8"), ("ip_address", "192.168.10.5"),
         ("symptom", "name resolution"), ("keyword", "DNS")],
    ),
    (
        "wi-fi keeps dropping every 10 mins on dell latitude, intel ax201 driver 22.250.1.2. windows 11",
        [("os", "Windows 11"), ("symptom", "keeps disconnecting"), ("keyword", "Wi-Fi")],
    ),
    (
        "user locked out again, 4740 events on the PDC show caller computer PC-RECEP-02. third time "
        "today",
        [("event_id", "4740"), ("hostname", "PC-RECEP-02"), ("symptom", "locked out")],
    ),
    (
        "teams video black screen, camera works in the windows camera app. new teams version "
        "24004.1304.2625.9304",
        [("product", "Teams"), ("symptom", "no video"), ("keyword", "camera")],
    ),
    (
        "onboarding new starter monday, needs m365 business premium licence, laptop via autopilot, "
        "added to Finance-Team group",
        [("product", "Microsoft 365"), ("product", "Windows Autopilot"), ("keyword", "onboarding")],
    ),
    (
        "Blue screen this morning, stop code: CRITICAL_PROCESS_DIED, then Kernel-Power 41 in the system "
        "log. build 22621.2715",
        [("os", "Windows 11"), ("os_version", "22H2"), ("os_build", "22621.2715"),
         ("error_code", "CRITICAL_PROCESS_DIED"), ("event_id", "41"), ("symptom", "blue screen")],
    ),
    (
        "excel and word both crash when opening files from sharepoint. office build 16.0.17231.20236",
        [("product", "Excel"), ("product", "Word"), ("product", "SharePoint"), ("office_build", "17231.20236"),
         ("symptom", "crashes")],
    ),
    (
        "macbook pro on macOS 13 Ventura can't connect to the office wifi, iphone on the same network "
        "works",
        [("os", "macOS"), ("os", "iOS"), ("os_version", "13 Ventura"), ("symptom", "can't connect"),
         ("keyword", "Wi-Fi")],
    ),
    (
        "User's Android 14 phone not getting MFA push from Microsoft Authenticator, tried "
        "re-registering in entra id",
        [("os", "Android"), ("os_version", "14"), ("product", "Microsoft Authenticator"),
         ("product", "Entra ID"), ("keyword", "MFA")],
    ),
    (
        "Faulting application name: OUTLOOK.EXE, version: 16.0.17126.20132\n"
        "Faulting module name: ntdll.dll\n"
        "Exception code: 0xc0000005\n"
        "Event ID: 1000",
        [("product", "Outlook"), ("office_build", "17126.20132"), ("error_code", "0xC0000005"),
         ("event_id", "1000")],
    ),
    (
        "website returns HTTP 503 Service Unavailable, IIS on web01, app pool keeps stopping",
        [("product", "IIS"), ("error_code", "HTTP 503"), ("hostname", "WEB01")],
    ),
    (
        "getting a bounce: 550 5.7.1 Unable to relay for bob@fabrikam.co.uk when sending from the "
        "copier scan-to-email",
        [("error_code", "550 5.7.1"), ("email", "bob@fabrikam.co.uk"), ("keyword", "email")],
    ),
    (
        "server 2012 r2 DC replication failing, event id 2042, dcdiag shows errors. DC02 ip 10.0.0.11",
        [("os", "Windows Server 2012 R2"), ("event_id", "2042"), ("hostname", "DC02"),
         ("ip_address", "10.0.0.11")],
    ),
    (
        "GP says \"gateway vpn.northwind.com not responding\". globalprotect 6.2.1 on win 10 21h2",
        [("os", "Windows 10"), ("os_version", "21H2"), ("vpn_client", "GlobalProtect"),
         ("hostname", "vpn.northwind.com")],
    ),
    (
        "Windows update fails with 0x80070005 on a few machines, KB5034441 specifically",
        [("product", "Windows Update"), ("error_code", "0x80070005"), ("kb_article", "KB5034441")],
    ),
    (
        "user says \"the computer says password expired\" and then outlook keeps asking for password",
        [("product", "Outlook"), ("symptom", "password expired"), ("symptom", "repeated password prompts")],
    ),
    (
        "ping to 10.0.0.250 fails but 10.0.0.1 works, mac address of the printer is 00:1A:2B:3C:4D:5E",
        [("ip_address", "10.0.0.250"), ("ip_address", "10.0.0.1"), ("mac_address", "00:1A:2B:3C:4D:5E"),
         ("keyword", "printer")],
    ),
    (
        "need to reset mfa for mike, lost his phone. he uses google authenticator not the ms one",
        [("product", "Google Authenticator"), ("keyword", "MFA")],
    ),
    (
        "ran ipconfig /all:\n"
        "   IPv4 Address. . . . . . . . . . . : 192.168.50.23(Preferred)\n"
        "   Subnet Mask . . . . . . . . . . . : 255.255.255.0\n"
        "   Default Gateway . . . . . . . . . : 192.168.50.1\n"
        "   DNS Servers . . . . . . . . . . . : 1.1.1.1\n"
        "   Link-local IPv6 Address . . . . . : fe80::1c2b:3a4d:5e6f:7a8b%12",
        [("ip_address", "192.168.50.23"), ("ip_address", "192.168.50.1"), ("ip_address", "1.1.1.1"),
         ("ip_address", "fe80::1c2b:3a4d:5e6f:7a8b"), ("keyword", "DNS")],
    ),
    (
        "onedrive not syncing, red x on the folder, error 0x8004de40. files in C:\\Users\\amy\\OneDrive "
        "- Contoso",
        [("product", "OneDrive"), ("error_code", "0x8004DE40"), ("symptom", "not syncing")],
    ),
    (
        "cisco anyconnect 4.10.07061 login loop after password change, can't sign in",
        [("vpn_client", "Cisco AnyConnect"), ("symptom", "can't sign in")],
    ),
    (
        "quickbooks wont open on the terminal server RDS01, rdp works",
        [("product", "QuickBooks"), ("product", "Remote Desktop"), ("hostname", "RDS01"),
         ("symptom", "won't open")],
    ),
    (
        "the client called at 10:30 on 12.05.2024 about ticket 45821, the outlook on her ipad is fine",
        [("os", "iPadOS"), ("product", "Outlook")],
    ),
    (
        "word doc wont save to the network drive, access is denied",
        [("product", "Word"), ("symptom", "access denied"), ("keyword", "mapped drive")],
    ),
    (
        "the sales teams were moved to the 2nd floor yesterday, nothing else changed",
        [],
    ),
    (
        "Zoom meeting audio choppy, on wifi. zoom in on the screenshot to see the error",
        [("product", "Zoom"), ("keyword", "Wi-Fi")],
    ),
    (
        "printer hp m479fdw scans to email fail, smtp auth error 535 5.7.139",
        [("printer", "HP M479fdw"), ("error_code", "535 5.7.139"), ("keyword", "printer"), ("keyword", "email")],
    ),
    (
        "user's Chromebook can't print to the Kyocera ECOSYS M2540dn",
        [("os", "ChromeOS"), ("printer", "Kyocera ECOSYS M2540dn"), ("symptom", "can't print")],
    ),
    (
        "Please call 555-0134 after 2pm, she's in from 9:15 to 17:30 on 03/04/2025",
        [],
    ),
    (
        "v1.2.3.4 of the agent, and driver version 5.1.2.3 were installed; ip is 172.16.4.20:3389",
        [("ip_address", "172.16.4.20")],
    ),
    (
        "upgrade to 24H2 failed with 0xC1900101 - CVE-2024-21412 patched? step-2 of the guide says "
        "reboot",
        [("os_version", "24H2"), ("error_code", "0xC1900101")],
    ),
    (
        "utf-8 encoding error in the csv export, got the error 500 times overnight, covid-19 wfh policy",
        [],
    ),
    (
        "Outlook (Not Responding) every morning for ~2 mins, then fine. Exchange is on-prem, exchange "
        "the usb hub didnt help",
        [("product", "Outlook"), ("product", "Exchange"), ("symptom", "freezes")],
    ),
    (
        "the ceo's brother is visiting, hp elitebook 840 g8 wont turn on, edge of the desk is wet",
        [("symptom", "no power")],
    ),
    (
        "can't reach https://portal.contoso.com/login from SRV-WEB01 but http://10.1.1.5:8080 works",
        [("hostname", "portal.contoso.com"), ("hostname", "SRV-WEB01"), ("ip_address", "10.1.1.5")],
    ),
    (
        "C:\\>net use\n"
        "New connections will be remembered.\n"
        "Status       Local     Remote                    Network\n"
        "-------------------------------------------------------------------------------\n"
        "Unavailable  H:        \\\\fs01.corp.northwind.local\\home$\\jsmith\n"
        "                                                 Microsoft Windows Network\n"
        "The command completed successfully.",
        [("hostname", "fs01.corp.northwind.local"),
         ("unc_path", "\\\\fs01.corp.northwind.local\\home$\\jsmith"), ("keyword", "mapped drive")],
    ),
    (
        "teams keeps saying caa70004 \"we couldn't sign you in\", ms teams classic on w10",
        [("os", "Windows 10"), ("product", "Teams"), ("error_code", "CAA70004"), ("symptom", "can't sign in")],
    ),
    (
        "ios 17.4 mail app keeps asking for password after the mfa rollout, exchange online",
        [("os", "iOS"), ("os_version", "17.4"), ("product", "Exchange Online"),
         ("symptom", "repeated password prompts"), ("keyword", "email"), ("keyword", "MFA")],
    ),
    (
        "user cant recieve emails in outlok, one drive also says sync pending, global protect connected "
        "tho",
        [("product", "OneDrive"), ("vpn_client", "GlobalProtect"), ("symptom", "not syncing"),
         ("keyword", "email")],
    ),
    (
        "exchange server 2019 on SRV-EXCH01 (server 2022) queue backing up, event 15004 back pressure. "
        "sql server 2019 on the same box",
        [("os", "Windows Server 2022"), ("product", "Exchange Server"), ("product", "SQL Server"),
         ("event_id", "15004"), ("hostname", "SRV-EXCH01")],
    ),
]


@pytest.mark.parametrize(("message", "expected"), MESSAGES, ids=[f"message-{n:02}" for n in range(len(MESSAGES))])
def test_facts_are_extracted_from_a_technicians_message(message, expected):
    assert extract_facts(message) == expected


def test_the_table_covers_at_least_thirty_messages_and_every_common_key():
    assert len(MESSAGES) >= 30
    keys_seen = {key for _, facts in MESSAGES for key, _ in facts}
    assert keys_seen >= {"os", "os_version", "os_build", "product", "vpn_client", "printer", "error_code",
                         "event_id", "hostname", "ip_address", "symptom"}
    assert keys_seen <= set(KEYS)


def test_nothing_is_extracted_from_an_empty_message():
    assert extract_facts("") == []
    assert extract_facts(None) == []


def test_several_values_of_one_key_merge_into_one_fact_value():
    facts = extract_facts("excel and word both crash, outlook too. Outlook again.")
    assert merge_facts(facts) == {"product": "Excel, Word, Outlook", "symptom": "crashes"}
