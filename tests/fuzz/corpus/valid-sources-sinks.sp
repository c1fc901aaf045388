source a = file("-")
source b = file(path: "x.log", follow: false)
source c = stdin
source d = tcp(address: "0.0.0.0:5000")
source e = generator()
source f = kafka("topic", brokers: "b:9092", group: "g", from: "earliest", until: "now")
source g = input(uri: "kafka://broker/topic")
a | union b | union c | union d | union e | union f | union g | sink stdout(title: "all", format: "text")
a | sink file(path: "/dev/null")
a | sink kafka(topic: "t")
a | sink stdout
