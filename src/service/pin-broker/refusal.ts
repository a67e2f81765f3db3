/**
 * Every answer of `POST /api/pin` other than a PIN: a `PinBrokerFailure` body with its HTTP status
 * (src/pin/protocol.ts). Thrown anywhere in the broker as a `PinRefusal` and turned into the
 * answer in one place.
 */
import {
  PIN_BROKER_REFUSALS,
  RESCUE_WORD_STATUS,
  type PinBrokerFailure,
  type PinBrokerRefusal,
  type PinBrokerRescueMethod,
} from "../../pin/protocol";

/** The failure body without its word (the word is the refusal's). */
export type RefusalDetails = Omit<PinBrokerFailure, "error">;

export class PinRefusal extends Error {
  readonly status: number;
  readonly body: PinBrokerFailure;

  private constructor(status: number, body: PinBrokerFailure) {
    super(body.error);
    this.name = "PinRefusal";
    this.status = status;
    this.body = body;
  }

  /** One of the service's own refusal words, with its status from the protocol. */
  static of(word: PinBrokerRefusal, details: RefusalDetails = {}): PinRefusal {
    return new PinRefusal(PIN_BROKER_REFUSALS[word], { error: word, ...details });
  }

  /** Rescue answered, and refused: its reply word (`RESCUE_EMPTY` when the reply had none). */
  static rescueWord(word: string, method: PinBrokerRescueMethod, details: RefusalDetails = {}): PinRefusal {
    const safeWord = /^[A-Z][A-Z0-9_]{0,39}$/.test(word) ? word : "RESCUE_EMPTY";
    return new PinRefusal(RESCUE_WORD_STATUS, { error: safeWord, method, ...details });
  }

  /** The same refusal, naming the agent's user settings row. */
  withSettingsId(settingsId: string | undefined): PinRefusal {
    return settingsId === undefined || this.body.settingsId !== undefined ? this : new PinRefusal(this.status, { ...this.body, settingsId });
  }
}
