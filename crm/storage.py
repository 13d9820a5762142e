"""Interaction attachments are private: they are stored like any upload (the default
storage) but every link to one goes through a view that checks the staff member's
permission. MEDIA_ROOT must never be served publicly."""

from django.core.files.storage import Storage, default_storage
from django.urls import reverse
from django.utils.deconstruct import deconstructible


@deconstructible
class AttachmentStorage(Storage):
    def _open(self, name, mode="rb"):
        return default_storage.open(name, mode)

    def _save(self, name, content):
        return default_storage.save(name, content)

    def get_available_name(self, name, max_length=None):
        return default_storage.get_available_name(name, max_length=max_length)

    def delete(self, name):
        default_storage.delete(name)

    def exists(self, name):
        return default_storage.exists(name)

    def size(self, name):
        return default_storage.size(name)

    def listdir(self, path):
        return default_storage.listdir(path)

    def url(self, name):
        return reverse("crm:attachment", args=[name])
