print("fwaudit")
