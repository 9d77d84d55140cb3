# Self-service password reset: its requests, links sent and passwords set are audit events of their own.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_retention_rules"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Create"),
                    ("update", "Update"),
                    ("delete", "Delete"),
                    ("login", "Login"),
                    ("login_failed", "Failed login"),
                    ("logout", "Logout"),
                    ("reveal", "Reveal personal data"),
                    ("export", "Export"),
                    ("import", "Import"),
                    ("token", "API token"),
                    ("rotate", "Key rotation"),
                    ("password_reset", "Password reset"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="action",
            ),
        ),
    ]
