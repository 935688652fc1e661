from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Long passphrases are welcome; only refuse what would be a denial of service to hash."""

    max_length = 256

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long (at most {self.max_length} characters).",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."
