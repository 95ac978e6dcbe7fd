from ketenportaal.forms import PortalModelForm
from stakeholders.models import Person


class NotificationSettingsForm(PortalModelForm):
    class Meta:
        model = Person
        fields = ["mail_preference"]
