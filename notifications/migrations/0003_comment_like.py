from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_moderation_notices'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='type',
            field=models.CharField(choices=[('follow', 'followed you'), ('like', 'liked your note'), ('collect', 'collected your note'), ('comment', 'commented on your note'), ('reply', 'replied to your comment'), ('mention', 'mentioned you'), ('comment_like', 'liked your comment'), ('moderation', 'moderation notice')], max_length=16),
        ),
    ]
