print("cibox")
