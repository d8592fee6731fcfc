#include "luchtmeetnet/stations.h"

/*
 * The 99 official stations the original project ingested (data/stations.json), in its
 * order. The API knows a few more; these are the ones partitioned over.
 */
const char *const lmn_stations[LMN_NSTATIONS] = {
	"NL01485", /* Rotterdam-Hoogvliet */
	"NL01912", /* Ridderkerk-Voorweg */
	"NL01497", /* Rotterdam-Maasvlakte */
	"NL01496", /* Rotterdam-HvHolland */
	"NL49557", /* Wijk aan Zee-Bosweg */
	"NL01491", /* Overschie-A13 */
	"NL10248", /* Nistelrode-Gagelstraat */
	"NL01489", /* Ridderkerk-A16 */
	"NL49701", /* Zaandam-Wagenschotpad */
	"NL10320", /* Burgh-Haamstede */
	"NL53016", /* Zevenbergen-Galgenweg */
	"NL10404", /* Den Haag-Rebecquestraat */
	"NL10445", /* Den Haag-Amsterdamse Veerkade */
	"NL10246", /* Fijnaart-Zwingelspaansedijk */
	"NL49002", /* Amsterdam-Haarlemmerweg */
	"NL49003", /* Amsterdam-Nieuwendammerdijk */
	"NL49007", /* Amsterdam-Einsteinweg */
	"NL49014", /* Amsterdam-Vondelpark */
	"NL49016", /* Amsterdam-Westerpark */
	"NL49017", /* Amsterdam-Stadhouderskade */
	"NL49019", /* Amsterdam-Oude Schans */
	"NL49020", /* Amsterdam-Jan van Galenstraat */
	"NL49021", /* Amsterdam -Kantershof */
	"NL53001", /* Ossendrecht-Burgemeester Voetenstraat */
	"NL53020", /* Strijensas Buitendijk */
	"NL10301", /* Zierikzee-Lange Slikweg */
	"NL10938", /* Groningen-Nijensteinheerd */
	"NL53004", /* Moerdijk-Julianastraat */
	"NL01493", /* Rotterdam-Statenweg */
	"NL01487", /* Rotterdam-Pleinweg */
	"NL01484", /* Rotterdam-Geulhaven */
	"NL10107", /* Posterholt-Vlodropperweg */
	"NL10722", /* Eibergen-Lintveldseweg */
	"NL10929", /* Valthermond-Noorderdiep */
	"NL10617", /* Biddinghuizen-Kuilweg */
	"NL54004", /* Arnhem Velperbroek */
	"NL54010", /* Arnhem GelreDome */
	"NL10538", /* Wieringerwerf-Medemblikkerweg */
	"NL10741", /* Nijmegen-Graafseweg */
	"NL10738", /* Wekerom-Riemterdijk */
	"NL10138", /* Heerlen-Jamboreepad */
	"NL01494", /* Schiedam-A.Arienstraat */
	"NL50004", /* Maastricht-A2-Nassaulaan */
	"NL50007", /* Maastricht-Hoge_Fronten */
	"NL50009", /* Maastricht-A2-Kasteel_Hillenraadweg */
	"NL50010", /* Maastricht-A2-Philipsweg */
	"NL50002", /* Geleen-Vouershof  */
	"NL10133", /* Wijnandsrade-Opfergeltstraat */
	"NL10131", /* Vredepeel-Vredeweg */
	"NL50006", /* Horst_a/d_Maas-Hoogheide  */
	"NL10235", /* Huijbergen-Vennekenstraat */
	"NL10818", /* Barsbeek-De Veenen */
	"NL10230", /* Biest Houtakker-Biestsestraat */
	"NL10442", /* Dordrecht-Bamendaweg */
	"NL10236", /* Eindhoven-Genovevalaan */
	"NL10237", /* Eindhoven-Noordbrabantlaan */
	"NL10247", /* Veldhoven-Europalaan */
	"NL10550", /* Haarlem-Schipholweg */
	"NL49561", /* Badhoevedorp-Sloterweg */
	"NL49565", /* Oude Meer-Aalsmeerderdijk */
	"NL10641", /* Breukelen-A2 */
	"NL10807", /* Hellendoorn-Luttenbergerweg */
	"NL10633", /* Zegveld-Oude Meije */
	"NL10636", /* Utrecht-Kardinaal de Jongweg */
	"NL10318", /* Philippine-Stelleweg */
	"NL10643", /* Utrecht-Griftpark */
	"NL10437", /* Westmaas-Groeneweg */
	"NL10241", /* Breda-Bastenakenstraat */
	"NL01488", /* Rotterdam-Zwartewaalstraat */
	"NL49553", /* Wijk aan Zee-De Banjaert */
	"NL49572", /* Velsen-Staalstraat */
	"NL49703", /* Spaarnwoude-Machineweg */
	"NL49556", /* De Rijp-Oostdijkje */
	"NL49546", /* Zaanstad-Hemkade */
	"NL49022", /* Amsterdam-Ookmeer */
	"NL49012", /* Amsterdam-Van Diemenstraat */
	"NL10446", /* Den Haag-Bleriotlaan */
	"NL10644", /* Cabauw-Wielsekade */
	"NL10918", /* Balk-Trophornsterweg */
	"NL49704", /* Zaanstad-Hoogtij */
	"NL10418", /* Rotterdam-Schiedamsevest */
	"NL10937", /* Groningen-Europaweg */
	"NL10136", /* Heerlen-Looierstraat */
	"NL10240", /* Breda-Tilburgseweg */
	"NL10742", /* Nijmegen-Ruyterstraat */
	"NL10821", /* Enschede-Winkelshorst */
	"NL49551", /* IJmuiden-Kanaalstraat */
	"NL49570", /* Beverwijk-Creutzberglaan */
	"NL49564", /* Hoofddorp-Hoofdweg */
	"NL49573", /* Velsen-Reyndersweg */
	"NL10639", /* Utrecht-Constant Erzeijstraat */
	"NL10444", /* De Zilk-Vogelaarsdreef */
	"NL53015", /* Klundert-Kerkweg */
	"NL01495", /* Maassluis-Kwartellaan */
	"NL10449", /* Vlaardingen-Riouwlaan */
	"NL10450", /* Den Haag-Neherkade */
	"NL10934", /* Kollumerwaard-Hooge Zuidwal */
	"NL01913", /* Sluiskil-Stroodorpestraat */
	"NL50003", /* Geleen-Asterstraat */
};
