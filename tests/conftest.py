import pytest


@pytest.fixture
def staff_client(client, django_user_model):
    """A logged-in superuser (staff with every permission)."""
    user = django_user_model.objects.create_superuser(username="staff", password="x" * 12)
    client.force_login(user)
    client.user = user
    return client
