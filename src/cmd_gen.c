/* cmd_gen.c - `streampipe gen`: the sample's log generator as a command.
 * (Placeholder until the Kafka issue's generator command lands.) */
#include "commands.h"

#include <stdio.h>

int sp_cmd_gen(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "streampipe gen: arrives with the Kafka issue (#4)\n");
    return 2;
}
