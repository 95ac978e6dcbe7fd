"""The newsletter's mailing pages, mounted by ketenportaal/urls.py under /ketens/<slug>/nieuwsbrief/
beside the newsletter's own (namespace ``newsletters``):

- views/subscribers.py      public: signing up, confirming, unsubscribing (subscribers and members)
- views/newsletter_send.py  the programme manager's send step and the sending's progress

Names follow <model>_<action>; every name needs a row in tests/matrix/recognition/subscribers.py.
"""

from .views import newsletter_send, subscribers

app_name = "mailing"

urlpatterns = [*subscribers.routes, *newsletter_send.routes]
