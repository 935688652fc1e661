"""The identifiers a tip names (phones, handles, ad URLs, plates, addresses, names): fields
shared by the tip form and the page that corrects them. The service tidies and checks each value
(``referrals.connections.tidy_tip_identifiers``); the form only splits the lines."""

from __future__ import annotations

from typing import Any

from django import forms

from referrals.connections import MAX_PER_FIELD, TIP_IDENTIFIER_FIELDS

IDENTIFIER_LABELS = {
    "phones": ("Phone numbers", "One a line."),
    "handles": ("Online handles", "One a line, e.g. @name (any platform)."),
    "urls": ("Ad or web addresses", "One a line: the ad's or profile's address."),
    "plates": ("Vehicle plates", "One a line."),
    "addresses": ("Addresses", "One a line: where something was seen, or where people are kept."),
    "names": ("Names", "One a line: names or nicknames of people the tip is about. Not victims'."),
}


def _lines(value: str) -> list[str]:
    # One a line only: addresses and names carry commas.
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class TipIdentifiersForm(forms.Form):
    """Six one-a-line lists. Matching tips and investigations show on the tip's page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in TIP_IDENTIFIER_FIELDS:
            label, help_text = IDENTIFIER_LABELS[name]
            self.fields[name] = forms.CharField(
                required=False,
                label=label,
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in TIP_IDENTIFIER_FIELDS:
            if name in data:
                values = _lines(data[name])
                if len(values) > MAX_PER_FIELD:
                    self.add_error(name, f"At most {MAX_PER_FIELD} entries.")
                data[name] = values
        return data

    @staticmethod
    def initial_for(tip: Any) -> dict[str, str]:
        return {name: "\n".join(getattr(tip, name) or []) for name in TIP_IDENTIFIER_FIELDS}
