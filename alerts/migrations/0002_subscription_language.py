"""The language a subscriber's alert e-mails are written in (issue 17); existing subscriptions keep English."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="alertsubscription",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("ar", "Arabic"), ("fr", "French")], default="en", max_length=8
            ),
        ),
        migrations.AddConstraint(
            model_name="alertsubscription",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["en", "ar", "fr"])), name="alert_subscription_language_offered"
            ),
        ),
    ]
