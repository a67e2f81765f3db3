/**
 * `lmi_/scripts/configuration.page.js` — the script of the solution configuration page
 * (`lmi_/pages/configuration.html`). Global `LogMeInRescue.Configuration.Page`; no registration
 * targets: the page script starts the page when it loads (all work is in src/configuration/).
 */
import { startConfigurationPage } from "../configuration/page";

void startConfigurationPage(window);
