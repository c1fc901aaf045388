param a = b
param c = 1 + 2
param d = -"x"
param e = -true
param f = it
param g = [1]
source s1 = file()
source s2 = file(1)
source s3 = file("a", "b")
source s4 = file("a", true, "t", "extra")
source s5 = file(pth: "x")
source s6 = file(path: "x", path: "y")
source s7 = file(length("x"))
source s8 = kafka
source s9 = stdin("x")
s1 | sink stdout(1)
s1 | sink file
s1 | sink kafka(topic: 1s)
