"""Login throttling: django-axes on every HTTP login (5 failures per username + IP → 30 minutes locked)."""

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    """Axes' check for logins made over HTTP. Logins without a request (management commands, the test
    client's ``login()``) have no client to throttle and fall through to ModelBackend."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
