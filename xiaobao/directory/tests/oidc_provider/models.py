from django.conf import settings
from django.db import models


class Profile(models.Model):
    """The claims the provider gives a user besides username and e-mail (`extra` is merged last: the tests
    use it for `amr`, or a wrong `aud`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(max_length=100, blank=True)
    unit = models.CharField(max_length=64, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        app_label = "oidc_provider"

    def __str__(self) -> str:
        return self.name
