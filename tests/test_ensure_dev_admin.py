import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_it_creates_a_superuser_with_a_printed_password(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_dev_admin")
    output = capsys.readouterr().out
    password = output.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.check_password(password)


def test_it_leaves_an_existing_admin_alone(settings, capsys):
    settings.DEBUG = True
    get_user_model().objects.create_superuser(username="admin", password="kept-password-1")
    call_command("ensure_dev_admin")
    assert "exists" in capsys.readouterr().out
    assert get_user_model().objects.get(username="admin").check_password("kept-password-1")


def test_it_refuses_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("ensure_dev_admin")
    assert not get_user_model().objects.exists()


def test_it_prints_the_address_make_run_serves_on(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_dev_admin", address="127.0.0.1:8101")
    assert "http://127.0.0.1:8101/admin/  user: admin  password: " in capsys.readouterr().out


def test_it_prints_runserver_s_host_for_a_bare_port(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_dev_admin", address="8102")
    assert "http://127.0.0.1:8102/admin/" in capsys.readouterr().out
