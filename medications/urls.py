app_name = "medications"

urlpatterns: list = []
