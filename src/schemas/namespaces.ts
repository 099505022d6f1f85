/** CLR namespaces of the legacy DataContracts, as the seeds give them. */
export const NS = {
  dataTransfer: "DigitalScience.DataTransfer",
  parm: "DigitalScience.DataTransfer.Tour.V5.Parm",
  parmWebInterface: "DigitalScience.DataTransfer.Tour.V5.Parm.WebInterface",
  result: "DigitalScience.DataTransfer.Tour.V5.Result",
  resultWebInterface: "DigitalScience.DataTransfer.Tour.V5.Result.WebInterface",
} as const;
