"""URLs of the minimal project: the package's own URLs, as its quick start includes them, and the account plumbing.

Sign-in is Django's stock LoginView. Django ships no sign-up view, so sign-up is Django's generic CreateView on
Django's own UserCreationForm (username, password1, password2): account plumbing, no WebAuthn logic.
"""

from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.views.generic.edit import CreateView

urlpatterns = [
    path(
        "accounts/signup/",
        CreateView.as_view(
            form_class=UserCreationForm,
            template_name="registration/signup.html",
            success_url="/accounts/login/",
        ),
    ),
    path("accounts/login/", LoginView.as_view()),
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
]
