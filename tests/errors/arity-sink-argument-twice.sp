source lines = file("access.log")
lines | sink stdout("Lines", title: "All lines")
