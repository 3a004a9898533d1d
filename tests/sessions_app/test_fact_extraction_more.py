"""The extractor on shorthand OS names, host names told by context, vendor error-code
formats and the wider product list (issue 13): one table per pattern."""

import pytest

from sessions_app.assistant.extract import extract_facts


def values(text: str, key: str) -> list[str]:
    return [value for found_key, value in extract_facts(text) if found_key == key]


@pytest.mark.parametrize(("text", "os"), [
    ("the print server is on Server 2k16", "Windows Server 2016"),
    ("Svr 2019 file server", "Windows Server 2019"),
    ("old box on win server 2k12 r2", "Windows Server 2012 R2"),
    ("DC runs Srv2022", "Windows Server 2022"),
    ("two 2k8 servers still in the rack", "Windows Server 2008"),
    ("Windows Server 2025 Datacenter", "Windows Server 2025"),
])
def test_shorthand_server_names_are_read_as_windows_server(text, os):
    assert values(text, "os") == [os]


@pytest.mark.parametrize("text", [
    "SQL Server 2019 service stops",  # a product, not the OS
    "Exchange Server 2016 queue is growing",
    "we have 2k users",  # not a server year
])
def test_server_shorthand_is_not_read_where_it_is_something_else(text):
    assert not any(value.startswith("Windows Server") for value in values(text, "os"))


@pytest.mark.parametrize(("text", "host"), [
    ("mail server MX01 rejects everything", "MX01"),
    ("MX01 is down since the patch", "MX01"),
    ("user on br2-pc11 cannot print", "BR2-PC11"),
    ("ping lt-bk02 times out", "LT-BK02"),
    ("the DC is BRK-DC01", "BRK-DC01"),
    ("Veeam Agent on FS01 failed", "FS01"),
    ("rdp to ws-eng07 fails", "WS-ENG07"),
])
def test_host_names_are_recognised_from_their_shape_and_context(text, host):
    assert host in values(text, "hostname")


@pytest.mark.parametrize("text", [
    "Intel AX211 adapter",
    "covid-19 rules in the office",
    "it runs on x64 only",
    "SHA256 hash of the file",
    "a Wi-Fi 6 access point",
])
def test_model_numbers_and_words_with_digits_are_not_host_names(text):
    assert values(text, "hostname") == []


@pytest.mark.parametrize(("text", "code"), [
    ("staff get NET::ERR_CERT_DATE_INVALID in Chrome", "NET::ERR_CERT_DATE_INVALID"),
    ("Edge shows ERR_CONNECTION_TIMED_OUT", "ERR_CONNECTION_TIMED_OUT"),
    ("Chrome shows DNS_PROBE_FINISHED_NXDOMAIN", "DNS_PROBE_FINISHED_NXDOMAIN"),
    ("Firefox: SEC_ERROR_UNKNOWN_ISSUER on the portal", "SEC_ERROR_UNKNOWN_ISSUER"),
    ("QuickBooks says H202 in multi-user mode", "H202"),
    ("QuickBooks error -6000 opening the company file", "-6000"),
    ("installer fails with error code: 0x80070643", "0x80070643"),
    ("update stuck with 0x8007000d", "0x8007000D"),
    ("Teams error code CAA20002", "CAA20002"),
    ("sign-in fails with AADSTS50076", "AADSTS50076"),
    ("net use gives System error 1219", "1219"),
    ("the app shows error code E-4021", "E-4021"),
])
def test_vendor_error_code_formats_are_read(text, code):
    assert code in values(text, "error_code")


@pytest.mark.parametrize("text", [
    "installed KB5034441 last night",
    "the x64 build of the app",
    "error handling is fine",
])
def test_kb_numbers_and_architectures_are_not_error_codes(text):
    assert values(text, "error_code") == []


@pytest.mark.parametrize(("text", "product"), [
    ("Veeam Agent job failed", "Veeam"),
    ("Xero won't load invoices", "Xero"),
    ("Dropbox is stuck syncing", "Dropbox"),
    ("AutoCAD crashes opening drawings", "AutoCAD"),
    ("Okta sign-in loops", "Okta"),
    ("Sophos blocks the app", "Sophos"),
    ("SentinelOne quarantined the exe", "SentinelOne"),
    ("the ESXi host is out of memory", "VMware"),
    ("Hyper-V replica broke", "Hyper-V"),
    ("the site runs on IIS", "IIS"),
    ("Synology NAS share is slow", "Synology"),
    ("FortiGate firewall dropped the tunnel", "FortiGate"),
    ("Sage 50 is the only thing she runs", "Sage"),
    ("Power BI report will not refresh", "Power BI"),
    ("QuickBooks Desktop 2023", "QuickBooks"),
])
def test_the_wider_product_list(text, product):
    assert product in values(text, "product")


@pytest.mark.parametrize("text", [
    "she took a sage decision",  # ordinary words that share a product's name
    "cut her some slack",
])
def test_ordinary_words_are_not_products(text):
    assert values(text, "product") == []
