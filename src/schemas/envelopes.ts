/**
 * The two result envelopes every partner endpoint answers in (SPEC §3), and
 * the generic `CommonOperationResult<T>` whose DataContract name carries a
 * digest of T's namespace (see `wire/contract.ts`).
 */
import { z } from "zod";
import { contract, int, text } from "./fields";
import { NS } from "./namespaces";

export const OrderOperatorResult = contract(
  { name: "OrderOperatorResult", clrNamespace: NS.resultWebInterface },
  {
    orderid: text({ description: "操作对应(或产生)的电子门票系统订单号。" }),
    sendid: text({
      description:
        "操作对应的第三方系统的订单号(如同程网发送过来的订单的编号),此编号由接口方提供,在提口方系统中应为唯一值。",
    }),
    orderstatus: text({ description: "订单当前所处的状态" }),
    resultcode: int({ description: "操作返回代码,0表示成功,其他值表示错误。", required: true }),
    returnmessgage: text({ description: "从接口返回的提示消息,用于告知成功的结果或出错的原因。" }),
  },
);
export type OrderOperatorResult = z.infer<typeof OrderOperatorResult>;

const errcode = () => int({ description: "错误代码,通常0表示成功,其他值表示错误。", required: true });
const errmsg = () => text({ description: "错误描述,当errcode不为零时,此值可以用于呈现给用户。" });

export const CommonOperationResult = contract(
  { name: "CommonOperationResult", clrNamespace: NS.dataTransfer },
  {
    errcode: errcode(),
    errmsg: errmsg(),
    tag: text({ description: "操作同时,服务器端需要返回的其他值。" }),
  },
);
export type CommonOperationResult = z.infer<typeof CommonOperationResult>;

/**
 * `CommonOperationResult<T>`: its DataContract name is completed by
 * `wire/contract.ts` ("CommonOperationResultWithTagOf" + T's name + digest).
 */
export function commonResultWithTag<Tag extends z.ZodObject>(tag: Tag) {
  return contract(
    { name: "CommonOperationResultWithTagOf{0}{#}", clrNamespace: NS.dataTransfer },
    {
      errcode: errcode(),
      errmsg: errmsg(),
      // Described on the optional wrapper: `tag.describe()` would clone `tag` itself.
      tag: tag.nullable().optional().describe("操作同时,服务器端需要返回的其他值。"),
    },
  );
}
