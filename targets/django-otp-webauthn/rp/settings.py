"""Django settings of the minimal project that serves django-otp-webauthn for grading (see ../README.md).

Only what the package's quick start asks for (INSTALLED_APPS, OTPMiddleware, its URLs, OTP_WEBAUTHN_RP_ID / _RP_NAME /
_ALLOWED_ORIGINS, its authentication backend), what Django needs to run (a secret key, hosts, SQLite, sessions,
CSRF), and the account plumbing: two tiny form templates for Django's LoginView and the sign-up view of urls.py.
start.sh sets RP_PORT (the port served: the allowed origin is http://localhost:RP_PORT) and RP_DATABASE.
"""

import os

RP_PORT = os.environ["RP_PORT"]

# Graded on loopback only; never deploy this project.
SECRET_KEY = "webauthn-harness-grading-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django_otp",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
]

ROOT_URLCONF = "rp.urls"

# The sign-in and sign-up pages: a form with Django's CSRF token, nothing else.
_FORM = '<form method="post">{% csrf_token %}{{ form }}<button type="submit">{{ action }}</button></form>'
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "registration/login.html": _FORM.replace("{{ action }}", "Sign in"),
                        "registration/signup.html": _FORM.replace("{{ action }}", "Sign up"),
                    },
                )
            ],
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["RP_DATABASE"],
        # A throwaway database per run (start.sh): no fsync per commit. Speed only.
        "OPTIONS": {"init_command": "PRAGMA synchronous = OFF;"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's default database sessions (the package refuses the signed-cookie backend: replayable state).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "django_otp_webauthn.backends.WebAuthnBackend",
]
LOGIN_REDIRECT_URL = "/"

# Account plumbing only: every virtual user of a grade signs up and signs in once, and Django's default hasher
# (PBKDF2, 1,000,000 iterations) would spend most of a grade there. Django's documentation suggests this hasher
# for test runs; it has nothing to do with WebAuthn.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# django-otp-webauthn: its quick start's settings, for localhost on the port served.
OTP_WEBAUTHN_RP_NAME = "webauthn-harness grading"
OTP_WEBAUTHN_RP_ID = "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost:{RP_PORT}"]

# The package logs why py_webauthn refused a response (its replies say only "Invalid registration response
# provided."); Django logs server errors with their traceback. Both to the server's log (stderr).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django_otp_webauthn": {"handlers": ["stderr"], "level": "INFO"},
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}
