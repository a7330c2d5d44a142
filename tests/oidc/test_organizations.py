"""Organizations owning email domains (``threshold orgs``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.settings import Settings
from store.idps import Idps
from store.organizations import OrganizationError, Organizations, email_domain
from tests.oidc.test_cli import threshold


def _idp(settings: Settings, name: str = "corp") -> str:
    Idps(settings).add(name, issuer="https://idp.example", client_id="c", client_secret="s")
    return name


def test_realm_is_found_by_exact_domain_only(db_settings: Settings) -> None:
    orgs = Organizations(db_settings)
    orgs.add("Acme", idp_name=_idp(db_settings), domains=["Acme.Example", "acme-corp.example"])

    assert orgs.realm_for("ann@acme.example") == "corp"
    assert orgs.realm_for("Ann@ACME.example") == "corp"
    assert orgs.realm_for("bob@acme-corp.example") == "corp"
    # Subdomains, parents and look-alikes are not owned.
    assert orgs.realm_for("ann@eu.acme.example") is None
    assert orgs.realm_for("ann@notacme.example") is None
    assert orgs.realm_for("ann@example") is None
    assert orgs.realm_for("not-an-email") is None


def test_an_internationalized_domain_is_stored_and_matched_as_its_a_label(
    db_settings: Settings,
) -> None:
    orgs = Organizations(db_settings)
    added = orgs.add("Bücher", idp_name=_idp(db_settings), domains=["Bücher.Example"])

    assert added.domains == ("xn--bcher-kva.example",)
    assert orgs.realm_for("ann@bücher.example") == "corp"
    assert orgs.realm_for("ann@xn--bcher-kva.example") == "corp"


def test_a_domain_belongs_to_one_organization(db_settings: Settings) -> None:
    orgs = Organizations(db_settings)
    idp = _idp(db_settings)
    orgs.add("Acme", idp_name=idp, domains=["acme.example"])

    with pytest.raises(OrganizationError, match="already belongs to the organization 'Acme'"):
        orgs.add("Other", idp_name=idp, domains=["other.example", "ACME.example"])
    with pytest.raises(OrganizationError, match="already exists"):
        orgs.add("Acme", idp_name=idp, domains=["acme2.example"])
    assert [org.name for org in orgs.list()] == ["Acme"]  # nothing half-added


def test_list_and_remove(db_settings: Settings) -> None:
    orgs = Organizations(db_settings)
    idp = _idp(db_settings)
    orgs.add("Beta", idp_name=idp, domains=["beta.example"])
    orgs.add("Acme", idp_name=idp, domains=["b.acme.example", "a.acme.example"])

    listed = orgs.list()
    assert [(o.name, o.idp_name, o.domains) for o in listed] == [
        ("Acme", "corp", ("a.acme.example", "b.acme.example")),
        ("Beta", "corp", ("beta.example",)),
    ]
    assert orgs.remove("Acme") is True
    assert orgs.remove("Acme") is False
    assert orgs.realm_for("x@a.acme.example") is None
    # A removed organization's domain can be owned again.
    orgs.add("Acme again", idp_name=idp, domains=["a.acme.example"])
    assert orgs.realm_for("x@a.acme.example") == "corp"


@pytest.mark.parametrize(
    "domain",
    ["", "localhost", "acme", "-acme.example", "acme..example", "*.acme.example", "a_b.example"]
    + ["ann@acme.example", "1.2.3.4", "acme.test", "a" * 64 + ".example"],
)
def test_a_malformed_domain_is_refused(domain: str) -> None:
    with pytest.raises(OrganizationError, match="not a valid email domain"):
        email_domain(domain)


def test_the_provider_must_be_registered(db_settings: Settings) -> None:
    with pytest.raises(OrganizationError, match="no provider 'ghost'"):
        Organizations(db_settings).add("Acme", idp_name="ghost", domains=["acme.example"])


# ----- the CLI, run as an operator would ---------------------------------------------------


def test_cli_add_list_remove(db_settings: Settings) -> None:
    _idp(db_settings)
    added = threshold(
        db_settings,
        "orgs",
        "add",
        "Acme Corp",
        "--idp",
        "corp",
        "--domain",
        "acme.example",
        "--domain",
        "Bücher.example",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.split() == [
        "org=Acme",
        "Corp",
        "idp=corp",
        "domains=acme.example,xn--bcher-kva.example",
    ]
    listed = threshold(db_settings, "orgs", "list")
    assert listed.stdout == "Acme Corp\tcorp\tacme.example,xn--bcher-kva.example\n"
    removed = threshold(db_settings, "orgs", "remove", "Acme Corp")
    assert removed.returncode == 0 and removed.stdout.strip() == "removed=Acme Corp"
    assert threshold(db_settings, "orgs", "list").stdout == ""


def test_cli_refusals_say_why(db_settings: Settings) -> None:
    _idp(db_settings)
    Organizations(db_settings).add("Acme", idp_name="corp", domains=["acme.example"])
    cases = {
        ("Other", "--idp", "corp", "--domain", "acme.example"): "belongs to the organization",
        ("Other", "--idp", "ghost", "--domain", "o.example"): "no provider 'ghost'",
        ("Other", "--idp", "corp", "--domain", "not a domain"): "not a valid email domain",
    }
    for args, reason in cases.items():
        refused = threshold(db_settings, "orgs", "add", *args)
        # Like every `threshold … add`: exit status 1 and the reason on stderr.
        assert refused.returncode == 1, refused
        assert refused.stderr.startswith("threshold orgs add: ") and reason in refused.stderr
    missing = threshold(db_settings, "orgs", "remove", "Nobody")
    assert missing.returncode == 1 and "no organization named 'Nobody'" in missing.stderr
    usage = threshold(db_settings, "orgs", "add", "Other", "--idp", "corp")  # no --domain
    assert usage.returncode == 2 and "--domain" in usage.stderr
