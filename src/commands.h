/* commands.h - the commands besides check, dag and run. */
#ifndef SP_COMMANDS_H
#define SP_COMMANDS_H

/* streampipe gen ...: the log generator as a command (cmd_gen.c).  argv[0]
 * is "gen".  Returns the exit status. */
int sp_cmd_gen(int argc, char **argv);

/* streampipe broker ...: the embedded Kafka-protocol broker alone, for tests
 * and trying things out (cmd_broker.c).  argv[0] is "broker". */
int sp_cmd_broker(int argc, char **argv);

#endif
