from django.urls import path

from goodwill.conversations import views

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("views/", views.save_view, name="save_view"),
    path("views/counts", views.view_counts, name="view_counts"),
    path("views/<int:pk>/delete", views.delete_view, name="delete_view"),
    path("bulk/", views.bulk, name="bulk"),
    path("new/", views.new_conversation, name="new"),
    path("c/<int:number>/", views.detail, name="detail"),
    path("c/<int:number>/send", views.send, name="send"),
    path("c/<int:number>/draft", views.save_draft, name="draft"),
    path("c/<int:number>/draft-check", views.draft_check, name="draft_check"),
    path("c/<int:number>/properties", views.update_properties, name="properties"),
    path("c/<int:number>/merge", views.merge, name="merge"),
    path("c/<int:number>/macros/<int:macro_id>", views.macro_text, name="macro"),
    path("c/<int:number>/messages/<int:message_id>/split", views.split, name="split"),
    path("c/<int:number>/messages/<int:message_id>/raw", views.raw_message, name="raw"),
    path("c/<int:number>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
]
