print("crm-host")
