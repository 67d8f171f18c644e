"""The one way to log in to Odoo: URL parsing and why a login failed."""

from __future__ import annotations

import socket

import pytest

import odoo_connection
from odoo_connection import CONFIG, REFUSED, UNREACHABLE, OdooConnectionError


def test_url_gives_host_port_and_protocol():
    assert odoo_connection.parse_url("http://odoo.example.com") == odoo_connection.OdooEndpoint(
        "odoo.example.com", 80, "jsonrpc")
    secure = odoo_connection.parse_url("https://odoo.example.com:8443/web")
    assert (secure.host, secure.port, secure.ssl) == ("odoo.example.com", 8443, True)


@pytest.mark.parametrize("url", ["", "odoo.example.com", "ftp://odoo.example.com", "http://",
                                 "http://host:notaport"])
def test_a_wrong_url_is_a_configuration_error(url):
    with pytest.raises(OdooConnectionError) as caught:
        odoo_connection.connect(url, "db", "user", "secret")
    assert caught.value.kind == CONFIG


def test_nobody_listening_is_unreachable():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OdooConnectionError) as caught:
        odoo_connection.connect(f"http://127.0.0.1:{port}", "db", "user", "secret", timeout=5)
    assert caught.value.kind == UNREACHABLE
    assert "unreachable" in str(caught.value)


@pytest.mark.odoo
def test_a_wrong_password_is_refused_and_the_right_one_logs_in(odoo_server):
    with pytest.raises(OdooConnectionError) as caught:
        odoo_connection.connect(odoo_server.url, odoo_server.db, odoo_server.login, "wrong")
    assert caught.value.kind == REFUSED
    odoo = odoo_connection.connect(odoo_server.url, odoo_server.db, odoo_server.login,
                                   odoo_server.password)
    assert odoo.env.uid
