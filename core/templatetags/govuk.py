"""Rendering Django form fields as GOV.UK Frontend components."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

INPUT_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
ERROR_CLASSES = {
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
    "govuk-input": "govuk-input--error",
}
CHOICE_WIDGETS = {"radioselect", "checkboxselectmultiple"}


@register.filter
def is_choice_group(field: BoundField) -> bool:
    return field.widget_type in CHOICE_WIDGETS


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.filter
def is_date_input(field: BoundField) -> bool:
    return field.widget_type == "govukdate"


@register.filter
def date_parts(field: BoundField) -> list[dict]:
    """The three boxes of a GOV.UK date input: name, id, label, value and whether it is wrong."""
    import datetime

    from django.utils.translation import gettext as _

    from core.forms import DATE_PARTS

    value = field.value()
    if isinstance(value, datetime.date):
        value = {"day": value.day, "month": value.month, "year": value.year}
    value = value if isinstance(value, dict) else {}
    wrong: set[str] = set()
    for error in field.errors.as_data() if field.errors else ():
        wrong |= set((error.params or {}).get("parts", ("day", "month", "year")))
    labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
    return [
        {
            "name": f"{field.html_name}_{part}",
            "id": f"{field.auto_id}_{part}",
            "label": labels[part],
            "value": value.get(part, ""),
            "width": 4 if part == "year" else 2,
            "error": part in wrong,
        }
        for part in DATE_PARTS
    ]


@register.filter
def error_target(field: BoundField) -> str:
    """The id an error summary links to: the first option, the first wrong date box, the input."""
    if is_choice_group(field):
        return f"{field.auto_id}_0"
    if is_date_input(field):
        return next(p["id"] for p in date_parts(field) if p["error"] or p["name"].endswith("year"))
    return field.id_for_label


@register.filter
def option_hint(field: BoundField, value) -> str:
    """A hint for one radio option, from the field's ``option_hints`` (value → text)."""
    return getattr(field.field, "option_hints", {}).get(str(value), "")


def described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField, extra_classes: str = "") -> SafeString:
    """The field's widget with GOV.UK classes and aria-describedby pointing at hint and error."""
    css = INPUT_CLASSES.get(field.widget_type, "govuk-input")
    classes = [css]
    if field.errors:
        classes.append(ERROR_CLASSES[css])
    width = field.field.widget.attrs.get("data-width")
    if width:
        classes.append(f"govuk-input--width-{width}")
    if extra_classes:
        classes.append(extra_classes)
    attrs = {"class": " ".join(classes)}
    ids = described_by(field)
    if ids:
        attrs["aria-describedby"] = ids
    return field.as_widget(attrs=attrs)


@register.simple_tag
def field_describedby(field: BoundField) -> str:
    return described_by(field)


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context: template.Context, page) -> dict:
    """GOV.UK pagination that keeps the reader's filters in every link."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    prefix = params.urlencode()
    query_prefix = f"{prefix}&" if prefix else ""
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "query_prefix": query_prefix,
        "previous_href": (
            f"?{query_prefix}page={page.previous_page_number()}" if page.has_previous() else None
        ),
        "next_href": f"?{query_prefix}page={page.next_page_number()}" if page.has_next() else None,
    }


@register.filter
def markdown(text: str) -> SafeString:
    """User-written Markdown, sanitised (see core.markdown)."""
    from django.utils.safestring import mark_safe

    from core.markdown import render_markdown

    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def pence(value: int) -> str:
    from core.formatting import format_pence

    return format_pence(value or 0)


@register.filter
def half_days(value: int) -> str:
    from core.formatting import format_half_days

    return format_half_days(value or 0)


@register.filter
def percent_of(part: int, whole: int) -> int:
    """Width of a progress bar, 0–100, for a part of a whole."""
    if not whole:
        return 0
    return max(0, min(100, round(100 * (part or 0) / whole)))


def written_language(obj=None) -> str:
    """The language ``obj``'s own text is written in.

    A Wagtail page: its locale's. A project (or anything with a ``language`` field): the one its
    council chose. Anything else (and a page while Wagtail i18n is off): the default language.
    """
    from django.conf import settings
    from wagtail.models import Page

    if isinstance(obj, Page):
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            from core.locales import page_language

            return page_language(obj)
        return settings.LANGUAGE_CODE
    return getattr(obj, "language", "") or settings.LANGUAGE_CODE


@register.simple_tag
def content_lang(obj=None) -> str:
    """` lang="…"` for text written in another language than the interface's, else nothing.

    For the elements that hold text people wrote (CMS pages, projects): under /cy/ an English
    project summary is marked lang="en", so a screen reader reads it as English (WCAG 3.1.2,
    language of parts). One piece of code for every template; see ``written_language``.
    """
    from django.conf import settings
    from django.utils.html import format_html
    from django.utils.translation import get_language

    written = written_language(obj)
    shown = get_language() or settings.LANGUAGE_CODE
    if written.split("-")[0].lower() == shown.split("-")[0].lower():
        return ""
    language, _, region = written.partition("-")
    return format_html(' lang="{}"', f"{language}-{region.upper()}" if region else language)


class ScrollableTableNode(template.Node):
    def __init__(self, caption_id: template.base.FilterExpression, nodelist: template.NodeList):
        self.caption_id = caption_id
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        from django.utils.html import format_html

        return format_html(
            '<div class="pipeline-table-scroll" role="region" aria-labelledby="{}" tabindex="0">'
            "{}</div>",
            self.caption_id.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def scrollable_table(parser, token) -> ScrollableTableNode:
    """``{% scrollable_table "caption-id" %}<table>…</table>{% endscrollable_table %}``.

    A wide table scrolls sideways inside its own box rather than making the whole page do so
    at 320 CSS pixels (WCAG 1.4.10, reflow). The box is a region named by the table's caption
    (give the caption that id) and takes focus, so keyboard users can scroll it too.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the id of the table's caption")
    nodelist = parser.parse(("endscrollable_table",))
    parser.delete_first_token()
    return ScrollableTableNode(parser.compile_filter(bits[1]), nodelist)
