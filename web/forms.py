"""Forms parse and show errors next to fields; the rules themselves live in the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from notes.models import MAX_BOARD_NAME, MAX_BODY, MAX_COMMENT, MAX_TITLE, Visibility

LANGUAGE_CHOICES = [
    ("en", "English"),
    ("zh-Hans", "简体中文"),
    ("zh-Hant", "繁體中文"),
    ("th", "ไทย"),
    ("ja", "日本語"),
    ("ko", "한국어"),
]
UI_LANGUAGE_CHOICES = [(code, str(name)) for code, name in settings.LANGUAGES]

INTEREST_CHOICES = [
    ("food", _("Food")),
    ("travel", _("Travel")),
    ("fashion", _("Fashion")),
    ("beauty", _("Beauty")),
    ("fitness", _("Fitness")),
    ("home", _("Home & living")),
    ("pets", _("Pets")),
    ("photography", _("Photography")),
    ("study", _("Study")),
    ("music", _("Music")),
    ("art", _("Art & design")),
    ("tech", _("Tech")),
]


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=30, help_text=_("Letters, digits and underscores; shown as @username.")
    )
    display_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, help_text=_("At least 8 characters."))
    invite_code = forms.CharField(label=_("Invitation code"), max_length=64, required=False)


class NoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, required=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(
            attrs={"data-mentions": reverse_lazy("web:mention_suggest"), "data-mentions-label": _("People to mention")}
        ),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with spaces or commas."), max_length=1200
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.PUBLIC)
    # The author's own translation (notes/translations.py): optional, one language at a time.
    translation_language = forms.ChoiceField(
        label=_("Your own translation into"),
        choices=[("", _("(none)")), *LANGUAGE_CHOICES],
        required=False,
        help_text=_("Readers of that language see it instead of a machine translation. Leave both empty to remove it."),
    )
    translation_title = forms.CharField(label=_("Translated title"), max_length=MAX_TITLE, required=False)
    translation_body = forms.CharField(
        label=_("Translated text"), max_length=MAX_BODY, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def translation(self) -> tuple[str, str, str] | None:
        """(language, title, text) when the author chose a language for their own translation."""
        language = self.cleaned_data.get("translation_language") or ""
        if not language:
            return None
        return language, self.cleaned_data.get("translation_title", ""), self.cleaned_data.get("translation_body", "")

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "") or ""
        return [t for t in raw.replace("，", ",").replace(",", " ").split() if t.strip("#")]


class SuggestionForm(forms.Form):
    """A reader's suggested translation of someone's note."""

    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=MAX_BODY, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BoardForm(forms.Form):
    name = forms.CharField(label=_("Board name"), max_length=MAX_BOARD_NAME)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    is_private = forms.BooleanField(label=_("Private (only you can see it)"), required=False)


class CollectForm(forms.Form):
    board = forms.IntegerField(required=False)
    new_board = forms.CharField(label=_("New board"), max_length=MAX_BOARD_NAME, required=False)


class MoveForm(forms.Form):
    note = forms.IntegerField()
    to_board = forms.IntegerField(required=False)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    bio = forms.CharField(label=_("Bio"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    avatar = forms.FileField(label=_("Avatar"), required=False)


class SettingsForm(forms.Form):
    ui_language = forms.ChoiceField(label=_("Interface language"), choices=UI_LANGUAGE_CHOICES)
    languages = forms.MultipleChoiceField(
        label=_("Languages I read"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    region = forms.CharField(
        label=_("Region"), max_length=2, required=False, help_text=_("Two-letter country code, such as US or CN.")
    )
    auto_translate = forms.BooleanField(label=_("Translate notes into my language automatically"), required=False)


class PrivacyForm(forms.Form):
    show_collects = forms.BooleanField(
        label=_("Show my collects on my profile"),
        required=False,
        help_text=_("Notes in your public boards, on a Collects tab. Private boards are never shown."),
    )
    show_likes = forms.BooleanField(
        label=_("Show the notes I liked on my profile"), required=False, help_text=_("On a Liked tab.")
    )


class PasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class DeactivateForm(forms.Form):
    password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)


class OnboardingForm(forms.Form):
    interests = forms.MultipleChoiceField(
        label=_("What are you into?"), choices=INTEREST_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Which languages do you read?"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    follow = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
