import pytest


@pytest.fixture
def login(client):
    """Sign a user in on the test client (through the real log-in form) and return the client."""

    def do(user, password="correct horse battery"):
        response = client.post("/login/", {"username": user.username, "password": password})
        assert response.status_code == 302, response.content[:500]
        return client

    return do
