from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    link_text = blocks.CharBlock(max_length=60)
    link_url = blocks.CharBlock(max_length=300, help_text=_("A path such as /projects/ or a URL"))

    class Meta:
        template = "cms/blocks/call_to_action.html"
        icon = "pick"


class BodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        template="cms/blocks/rich_text.html",
    )
    call_to_action = CallToActionBlock()
