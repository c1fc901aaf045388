use weblg
use nosuchlibrary
use Core
use core
use weblog
use weblog
source lines = stdin
lines | map parse_acess_log | sink stdout
