batch 3s
source lines = stdin
lines | window 10s | sink stdout
lines | window 9s slide 4s | sink stdout
lines | window 1s | sink stdout
lines | countByWindow 1s slide 1s slide 2s | sink stdout
lines | window "10s" | sink stdout
lines | window 10 | sink stdout
lines | window it | sink stdout
lines | window 30s desc by 1 inverse sum | sink stdout
