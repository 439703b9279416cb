"""Every page renders for the coordinator in Polish, English and Ukrainian, with no untranslated template text."""

import pytest

from tests import factories
from tests.conftest import csrf_token
from tests.test_access import ids, url_for_rule  # noqa: F401  (ids is a fixture)


@pytest.fixture
def coordinator_client(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return client


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_every_page_renders_in_each_language(app, coordinator_client, ids, language):  # noqa: F811
    client = coordinator_client
    client.post("/language", data={"lang": language, "csrf_token": csrf_token(client)})
    pages = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint not in {"static", "auth.login"}
             and not rule.endpoint.endswith(("_export", "_suggestions"))  # downloads, JSON for scripts,
             and rule.endpoint not in {"reports.export", "healthz.status"}]  # and for a load balancer
    assert len(pages) > 15
    for rule in pages:
        response = client.get(url_for_rule(rule, ids))
        assert response.status_code == 200, rule.rule
        if response.mimetype != "text/html":
            continue  # the public map's script, calendars, the API
        assert f'<html lang="{language}">' in response.text, rule.rule
        if language == "pl":
            assert "Log out" not in response.text and "Save" not in response.text.replace("Zapisz", ""), rule.rule
        elif language == "uk":
            assert "Log out" not in response.text and "Wyloguj" not in response.text, rule.rule
        else:
            assert "Wyloguj" not in response.text, rule.rule
