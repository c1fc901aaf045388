source lines = file("access.log")
lines | sink stdout "all"
lines | map x -> upper(x)) | sink stdout
