"""The reference the debugger actions are checked against: a real `bdb.Bdb` subclass.

Standard library only: the tests import it to debug their own (trusted) programs in the
test process, and send it to the sandbox as a program (JSON job on stdin, JSON answer on
stdout) to debug CruxEval's programs, which are dataset code.

For each query (state, action, arg) the program runs afresh under the debugger: it
stops at every event of the program (step mode) up to event number `state`, issues the
action there (`set_step`, `set_next`, `set_return`, or `set_break` + `set_continue`),
and reports the number of the event where bdb stops next (None: it ran to the end).
Events are counted in the program's own frames only, as the tracer records them.
"""

import bdb
import json
import linecache
import sys

PROGRAM = "<program>"
CALL = "<call>"


class Done(Exception):
    pass


class Reference(bdb.Bdb):
    def __init__(self, target, action, arg):
        super().__init__()
        self.target = target
        self.action = action
        self.arg = arg
        self.count = -1  # number of the program event being dispatched
        self.armed = False
        self.stop = None
        self.reached = False

    # Count every program event, also in frames bdb chose not to trace further.
    def trace_dispatch(self, frame, event, arg):
        program = frame.f_code.co_filename == PROGRAM
        if program and event in ("call", "line", "return", "exception"):
            self.count += 1
        result = super().trace_dispatch(frame, event, arg)
        if result is None and program and event == "call":
            return self.count_only
        return result

    def count_only(self, frame, event, arg):
        if event in ("line", "return", "exception"):
            self.count += 1
        return self.count_only

    def stop_here(self, frame):
        if frame.f_code.co_filename != PROGRAM:
            return False
        return super().stop_here(frame)

    def user_call(self, frame, argument_list):
        if self.stop_here(frame):  # bdb calls it whenever it *might* stop; pdb checks the same
            self.stopped(frame)

    def user_line(self, frame):
        self.stopped(frame)

    def user_return(self, frame, return_value):
        self.stopped(frame)

    def user_exception(self, frame, exc_info):
        self.stopped(frame)

    def stopped(self, frame):
        if self.armed:
            self.stop = self.count
            self.set_quit()
            return
        if self.count != self.target:
            self.set_step()
            return
        self.reached = True
        self.armed = True
        if self.action == "step_into":
            self.set_step()
        elif self.action == "step_over":
            self.set_next(frame)
        elif self.action == "step_return":
            self.set_return(frame)
        elif self.action in ("breakpoint", "continue"):
            lines = [self.arg] if self.action == "breakpoint" else list(self.arg or ())
            for line in lines:
                self.set_break(PROGRAM, line)
            self.set_continue()
        else:
            raise ValueError(f"bdb has no action {self.action}")


def stop_after(code, call, state, action, arg=None):
    """Where bdb stops after `action` at event `state`: an event number, None (no stop:
    the program ran to its end) or "unreached" (bdb never stopped at `state`)."""
    linecache.cache[PROGRAM] = (len(code), None, code.splitlines(True), PROGRAM)
    namespace = {"__name__": "program"}
    exec(compile(code, PROGRAM, "exec"), namespace)
    debugger = Reference(state, action, arg)
    try:
        debugger.run(compile(call, CALL, "eval"), namespace)
    except BaseException:  # the program's own exception ends the run like its return
        pass
    finally:
        sys.settrace(None)
        debugger.clear_all_breaks()
    if not debugger.reached:
        return "unreached"
    return debugger.stop


def count_events(code, call):
    """How many program events bdb's trace function sees."""
    answer = stop_after(code, call, -10, "step_into")
    assert answer == "unreached"
    linecache.cache[PROGRAM] = (len(code), None, code.splitlines(True), PROGRAM)
    namespace = {"__name__": "program"}
    exec(compile(code, PROGRAM, "exec"), namespace)
    debugger = Reference(-10, "step_into", None)
    try:
        debugger.run(compile(call, CALL, "eval"), namespace)
    except BaseException:
        pass
    finally:
        sys.settrace(None)
    return debugger.count + 1


def main():
    job = json.loads(sys.stdin.read())
    answers = {"events": count_events(job["code"], job["call"]), "stops": []}
    for state, action, arg in job["queries"]:
        answers["stops"].append(stop_after(job["code"], job["call"], state, action, arg))
    sys.stdout.write(json.dumps(answers))


if __name__ == "__main__":
    main()
