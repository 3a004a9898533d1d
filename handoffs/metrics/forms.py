"""Forms of the metrics page: the date range picker and the baseline sample an admin records."""

from decimal import Decimal

from django import forms

from ..models import BaselineSample


class RangeForm(forms.Form):
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))


class BaselineSampleForm(forms.Form):
    minutes = forms.DecimalField(min_value=Decimal(0), max_value=Decimal(7 * 24 * 60), max_digits=7, decimal_places=1,
                                 label="Minutes", help_text="From \"I'm stuck\" to a senior's first action.",
                                 widget=forms.NumberInput(attrs={"step": "0.1", "min": "0"}))
    measured_on = forms.DateField(required=False, label="Measured on",
                                  help_text="Default: today.", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=BaselineSample._meta.get_field("note").max_length,
                           label="Note", help_text="Where it comes from, e.g. the ticket.")
