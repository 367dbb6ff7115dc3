"""Template helpers for forms a page repeats, one per row."""

from django import template

from ..forms.clinic import AlertAcknowledgeForm

register = template.Library()


@register.simple_tag
def alert_ack_form(alert, bound=None) -> AlertAcknowledgeForm:
    """``{% alert_ack_form alert bound as form %}``: the acknowledge form of ``alert``'s row, the rejected one
    if ``bound`` (alert pk, form) is about this alert, else a blank one."""
    form = bound[1] if bound and bound[0] == alert.pk else AlertAcknowledgeForm()
    return form.for_alert(alert)
